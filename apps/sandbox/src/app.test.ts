import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { challengeToken, client, createDraft, initialData, publishArticle, startSandbox } from './testing.js';

// Every route at the HTTP level, as the adapter (and a person) would meet it.

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

const anon = () => client(sandbox.url);
const as = (name: string) => client(sandbox.url, name);
/** A visitor who passed the article pages' anti-crawler check (see challenge.test.ts). */
const reader = async () => client(sandbox.url, undefined, { zse: await challengeToken(sandbox.url) });

type ArticleEntity = {
  id: number;
  title: string;
  state: string;
  author: { urlToken: string; name: string };
  content: string;
  topics: Array<{ id: string; name: string }>;
  created: number;
  updated: number;
  url: string;
};
function articleEntity(html: string, id: string): ArticleEntity | undefined {
  const data = initialData(html) as { initialState: { entities: { articles: Record<string, ArticleEntity> } } } | undefined;
  return data?.initialState.entities.articles[id];
}

describe('health and accounts', () => {
  it('answers /healthz', async () => {
    const reply = await anon()('GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ ok: true });
  });

  it('tells who is logged in at /api/v4/me', async () => {
    const alice = await as('alice')('GET', '/api/v4/me');
    expect(alice.status).toBe(200);
    expect(alice.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      url_token: 'alice',
      name: 'alice',
      avatar_url: `${sandbox.url}/avatar/alice.svg`,
      headline: '',
      type: 'people',
      user_type: 'people',
    });
    const again = await as('alice')('GET', '/api/v4/me');
    const bob = await as('bob')('GET', '/api/v4/me');
    expect((again.json as { id: string }).id).toBe((alice.json as { id: string }).id);
    expect((bob.json as { id: string }).id).not.toBe((alice.json as { id: string }).id);
    const avatar = await anon()('GET', '/avatar/alice.svg');
    expect(avatar.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('takes a Chinese account name, percent-encoded in the cookie, as the name and url_token', async () => {
    const me = await as('我的专栏号')('GET', '/api/v4/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ url_token: '我的专栏号', name: '我的专栏号', avatar_url: `${sandbox.url}/avatar/${encodeURIComponent('我的专栏号')}.svg` });
    const raw = await fetch(`${sandbox.url}/api/v4/me`, { headers: { cookie: `z_c0=sandbox-${encodeURIComponent('我的专栏号')}` } });
    expect(((await raw.json()) as { name: string }).name).toBe('我的专栏号');
    const avatar = await fetch((me.json as { avatar_url: string }).avatar_url);
    expect(avatar.status).toBe(200);
    expect(await avatar.text()).toContain('>我<');
    const columns = await as('我的专栏号')('GET', `/api/v4/members/${encodeURIComponent('我的专栏号')}/column-contributions`);
    expect((columns.json as { data: { column: { title: string } }[] }).data.map((d) => d.column.title)).toEqual(['我的专栏号 的专栏', '我的专栏号 的读书笔记']);
  });

  it('answers 401 with Zhihu body when logged out or the cookie is not a sandbox one', async () => {
    const body = { error: { code: 100, name: 'AuthenticationInvalidRequest', message: '请求参数异常，请升级客户端后重试。' } };
    for (const cookie of [undefined, 'z_c0=2|1:0|10:1700000000|4:z_c0|92:abc', 'z_c0=sandbox-', 'z_c0=sandbox-bad name', 'z_c0=sandbox-bad%20name', 'z_c0=sandbox-%E6%88', 'other=sandbox-alice']) {
      const res = await fetch(`${sandbox.url}/api/v4/me`, { headers: cookie ? { cookie } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(body);
    }
    const quoted = await fetch(`${sandbox.url}/api/v4/me`, { headers: { cookie: 'a=1; z_c0="sandbox-carol"; b=2' } });
    expect(((await quoted.json()) as { url_token: string }).url_token).toBe('carol');
  });

  it('signs a person in through the form and sends them back to a same-origin page only', async () => {
    const page = await anon()('GET', '/signin?next=%2Fwrite');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>知乎 - 有问题，就会有答案</title>');
    expect(page.text).toContain('name="next" value="/write"');

    const post = (form: Record<string, string>) =>
      fetch(`${sandbox.url}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
    const ok = await post({ name: 'dora', next: `${sandbox.url}/write?x=1` });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/write?x=1');
    expect(ok.headers.get('set-cookie')).toMatch(/^z_c0=sandbox-dora; Path=\//);

    for (const next of ['https://evil.example/write', '//evil.example/x', '/\\evil.example']) {
      expect((await post({ name: 'dora', next })).headers.get('location')).toBe('/');
    }
    const chinese = await post({ name: '多拉', next: '/write' });
    expect(chinese.headers.get('set-cookie')).toMatch(new RegExp(`^z_c0=sandbox-${encodeURIComponent('多拉')}; Path=/`));
    const bad = await post({ name: 'no spaces', next: '/write' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('账号名只能包含');
  });
});

describe('editor page', () => {
  it('sends a logged-out visitor to sign in and back', async () => {
    const reply = await anon()('GET', '/write');
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe(`${sandbox.url}/signin?next=${encodeURIComponent(`${sandbox.url}/write`)}`);
  });

  it('serves the editor with the selectors a publisher relies on', async () => {
    const reply = await as('alice')('GET', '/write');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = reply.text;
    expect(html).toContain('<title>写文章 - 知乎</title>');
    expect(html).toContain('<textarea rows="1" placeholder="请输入标题（最多 100 个字）" class="Input i7cW1UcwT6ThdhTakqFm">');
    expect(html).toMatch(/<div class="DraftEditor-root">[\s\S]*class="notranslate public-DraftEditor-content" contenteditable="true" role="textbox"/);
    expect(html).toContain('aria-label="请输入正文"');
    expect(html.match(/<button[^>]*>发布<\/button>/g)).toEqual([
      '<button type="button" class="Button PublishPanel-triggerButton Button--primary">发布</button>',
    ]);
    // The panel is rendered only once 发布 is clicked.
    expect(html).not.toContain('role="dialog"');
    expect(html).not.toContain('ProseMirror"');
  });

  it('opens a draft for its owner only', async () => {
    const id = await createDraft(sandbox.url, 'alice', '我的草稿', '<p>内容</p>');
    const own = await as('alice')('GET', `/p/${id}/edit`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('我的草稿</textarea>');
    expect(own.text).toContain(`"id":"${id}"`);
    const stranger = await as('bob')('GET', `/p/${id}/edit`);
    expect(stranger.status).toBe(403);
    expect(stranger.text).toContain('你没有权限进行此操作');
    expect(stranger.text).not.toContain('我的草稿');
    const missing = await as('alice')('GET', '/p/1234567890123456789/edit');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('你似乎来到了没有知识存在的荒原');
    const out = await anon()('GET', `/p/${id}/edit`);
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toContain(encodeURIComponent(`/p/${id}/edit`));
  });
});

describe('drafts', () => {
  it('creates drafts with unique 19-digit string ids and updates them', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => createDraft(sandbox.url, 'alice')));
    for (const id of ids) expect(id).toMatch(/^\d{19}$/);
    expect(new Set(ids).size).toBe(20);

    const id = ids[0] ?? '';
    const patched = await as('alice')('PATCH', `/api/articles/${id}/draft`, { title: '新标题', content: '<p onclick="x()">新<script>x</script></p>' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id, title: '新标题', content: '<p>新</p>', state: 'draft' });
    const editor = await as('alice')('GET', `/p/${id}/edit`);
    expect(editor.text).toContain('新标题</textarea>');
  });

  it('refuses drafts to strangers', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    expect((await anon()('POST', '/api/articles/drafts', { title: 'x' })).status).toBe(401);
    expect((await as('bob')('PATCH', `/api/articles/${id}/draft`, { title: 'x' })).status).toBe(403);
    expect((await as('alice')('PATCH', '/api/articles/1234567890123456789/draft', { title: 'x' })).status).toBe(404);
    const bad = await as('alice')('PATCH', `/api/articles/${id}/draft`, '{not json');
    expect(bad.status).toBe(400);
    const wrongType = await as('alice')('PATCH', `/api/articles/${id}/draft`, { title: 5 });
    expect(wrongType.status).toBe(400);
    expect((wrongType.json as { error: { message: string } }).error.message).toMatch(/^title: /);
  });
});

describe('publishing', () => {
  it('publishes a draft under its own id and shows it on the article page', async () => {
    const { id, reply } = await publishArticle(sandbox.url, 'alice', {
      title: '标题里有 </script><script>alert(1)</script>',
      content: '<h2>小节</h2><p>正文 <a href="javascript:x">链接</a><img src="x" onerror="y"></p>',
      topics: ['19550000', '19550068'],
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ id, url: `${sandbox.url}/p/${id}`, state: 'published' });

    const page = await (await reader())('GET', `/p/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>标题里有 &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; - 知乎</title>');
    expect(page.text).toContain('<h1 class="Post-Title">标题里有 &lt;/script&gt;');
    expect(page.text).toContain('<div class="RichText ztext Post-RichText"><h2>小节</h2><p>正文 链接</p></div>');
    // The title cannot end the data script early; only the real closing tag is there.
    const script = /<script id="js-initialData" type="text\/json">([\s\S]*?)<\/script>/.exec(page.text)?.[1] ?? '';
    expect(script).not.toContain('</');
    expect(page.text.match(/<script/g)).toHaveLength(1);

    const entity = articleEntity(page.text, id);
    expect(entity).toMatchObject({
      title: '标题里有 </script><script>alert(1)</script>',
      state: 'published',
      author: { urlToken: 'alice', name: 'alice' },
      content: '<h2>小节</h2><p>正文 链接</p>',
      topics: [
        { id: '19550000', name: '编程' },
        { id: '19550068', name: 'JavaScript' },
      ],
      url: `${sandbox.url}/p/${id}`,
    });
    // The inner id is a bare JSON number, so it loses digits like Zhihu's; the key keeps them.
    expect(script).toContain(`"${id}":{"id":${id},`);
    expect(entity?.id).toBe(Number(id));
    expect(Math.abs((entity?.created ?? 0) - Date.now() / 1000)).toBeLessThan(60);

    const hooks = await anon()('GET', '/__sandbox/articles');
    expect(hooks.json).toEqual([
      {
        id,
        title: '标题里有 </script><script>alert(1)</script>',
        author: 'alice',
        html: '<h2>小节</h2><p>正文 链接</p>',
        topics: ['编程', 'JavaScript'],
        column: null,
        cover: null,
        statement: 'none',
        commentPermission: 'anyone',
        state: 'published',
        publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        versions: [{ title: '标题里有 </script><script>alert(1)</script>', html: '<h2>小节</h2><p>正文 链接</p>', publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown }],
      },
    ]);
  });

  it('republishing the same id updates the article instead of adding one', async () => {
    const { id } = await publishArticle(sandbox.url, 'alice', { title: '第一版' });
    const again = await as('alice')('PUT', `/api/articles/${id}/publish`, { title: '第二版', content: '<p>改</p>', topics: [] });
    expect(again.status).toBe(200);
    const all = (await anon()('GET', '/__sandbox/articles')).json as Array<{ id: string; title: string; versions: Array<{ title: string }> }>;
    expect(all.map((a) => [a.id, a.title])).toEqual([[id, '第二版']]);
    expect(all[0]?.versions.map((v) => v.title)).toEqual(['第一版', '第二版']);
  });

  it('validates title, content and topics like Zhihu', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    const publish = (body: unknown) => as('alice')('PUT', `/api/articles/${id}/publish`, body);
    const hundred = '字'.repeat(100);
    const tooLong = await publish({ title: `${hundred}字`, content: '<p>x</p>', topics: [] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toEqual({ error: { code: 10001, message: '标题最多 100 个字' } });
    expect((await publish({ title: '   ', content: '<p>x</p>' })).json).toEqual({ error: { code: 10001, message: '请输入标题' } });
    expect((await publish({ title: 't', content: '<p> </p><script>x</script>' })).json).toEqual({
      error: { code: 10001, message: '请输入正文' },
    });
    expect((await publish({ title: 't', content: '<p>x</p>', topics: ['1', '2', '3', '4'] })).json).toEqual({
      error: { code: 10004, message: '最多添加 3 个话题' },
    });
    expect((await publish({ title: 't', content: '<p>x</p>', topics: ['999'] })).json).toEqual({
      error: { code: 10003, message: '话题不存在' },
    });
    const badTopics = await publish({ title: 't', content: '<p>x</p>', topics: [19550000] });
    expect(badTopics.status).toBe(400);
    expect((badTopics.json as { error: { message: string } }).error.message).toMatch(/^topics\.0: /);
    expect((await anon()('GET', '/__sandbox/articles')).json).toEqual([]);
    // Exactly 100 characters is fine, emoji counting as one.
    expect((await publish({ title: `${'字'.repeat(99)}😀`, content: '<p>x</p>' })).status).toBe(200);
  });

  it('refuses to publish someone else’s draft or a missing one', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    const body = { title: 't', content: '<p>x</p>', topics: [] };
    expect((await anon()('PUT', `/api/articles/${id}/publish`, body)).status).toBe(401);
    expect((await as('bob')('PUT', `/api/articles/${id}/publish`, body)).status).toBe(403);
    expect((await as('alice')('PUT', '/api/articles/1234567890123456789/publish', body)).status).toBe(404);
  });

  it('takes SANDBOX_DELAY_MS for a publish, changeable at runtime', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    expect((await anon()('POST', '/__sandbox/config', { delayMs: 400 })).json).toEqual({ delayMs: 400, layout: 'today' });
    expect((await anon()('GET', '/__sandbox/config')).json).toEqual({ delayMs: 400, layout: 'today' });
    const t0 = Date.now();
    const reply = await as('alice')('PUT', `/api/articles/${id}/publish`, { title: 't', content: '<p>x</p>' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect((reply.json as { _sandbox: unknown })._sandbox).toEqual({ redirectAfterMs: 400 });

    for (const bad of [{ delayMs: -1 }, { delayMs: 'slow' }, { delayMs: 1.5 }, {}, { delayMs: 1, extra: true }, { layout: 'tomorrow' }]) {
      const r = await anon()('POST', '/__sandbox/config', bad);
      expect(r.status).toBe(400);
    }
    expect(((await anon()('POST', '/__sandbox/config', { delayMs: 'slow' })).json as { error: { message: string } }).error.message).toMatch(/^delayMs: /);
  });
});

describe('article pages', () => {
  it('answers 404 with Zhihu’s page for unknown ids and unpublished drafts', async () => {
    const draft = await createDraft(sandbox.url, 'alice');
    const visitor = await reader();
    for (const path of ['/p/1234567890123456789', `/p/${draft}`, '/p/123', '/nowhere']) {
      const reply = await visitor('GET', path);
      expect(reply.status).toBe(404);
      expect(reply.text).toContain('你似乎来到了没有知识存在的荒原');
      expect(reply.text).not.toContain('js-initialData');
    }
    const api = await anon()('GET', '/api/v4/nothing');
    expect(api.status).toBe(404);
    expect(api.json).toEqual({ error: { code: 404, name: 'NotFoundError', message: '你似乎来到了没有知识存在的荒原' } });
  });

  it('shows recent articles on the home page', async () => {
    await publishArticle(sandbox.url, 'alice', { title: '首页上的文章' });
    const home = await anon()('GET', '/');
    expect(home.text).toContain('首页上的文章');
  });
});

describe('member articles', () => {
  it('lists an account’s articles newest first with Zhihu paging', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publishArticle(sandbox.url, 'alice', { title: `文章 ${i}`, content: `<p>第 ${i} 篇的摘要</p>` })).id);
    await publishArticle(sandbox.url, 'bob', { title: 'bob 的文章' });

    const first = await anon()('GET', '/api/v4/members/alice/articles?offset=0&limit=2&sort_by=created');
    expect(first.status).toBe(200);
    const page1 = first.json as { paging: Record<string, unknown>; data: Array<Record<string, unknown>> };
    expect(page1.paging).toEqual({
      is_end: false,
      is_start: true,
      totals: 3,
      next: `${sandbox.url}/api/v4/members/alice/articles?offset=2&limit=2&sort_by=created`,
      previous: `${sandbox.url}/api/v4/members/alice/articles?offset=0&limit=2&sort_by=created`,
    });
    expect(page1.data.map((a) => a.title)).toEqual(['文章 2', '文章 1']);
    expect(page1.data[0]).toMatchObject({
      url: `${sandbox.url}/p/${ids[2]}`,
      excerpt: '第 2 篇的摘要',
      type: 'article',
      author: { url_token: 'alice', name: 'alice' },
    });
    // ids are bare numbers here too: the URL is what keeps every digit.
    expect(first.text).toContain(`"id":${ids[2]},`);

    const second = (await anon()('GET', '/api/v4/members/alice/articles?offset=2&limit=2')).json as {
      paging: { is_end: boolean; is_start: boolean };
      data: Array<{ title: string }>;
    };
    expect(second.paging).toMatchObject({ is_end: true, is_start: false });
    expect(second.data.map((a) => a.title)).toEqual(['文章 0']);
  });

  it('answers an empty list for a known account and 404 for an unknown one', async () => {
    await as('carol')('GET', '/api/v4/me');
    const empty = (await anon()('GET', '/api/v4/members/carol/articles')).json as { paging: { totals: number }; data: unknown[] };
    expect(empty.paging.totals).toBe(0);
    expect(empty.data).toEqual([]);
    const unknown = await anon()('GET', '/api/v4/members/nobody-here/articles');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: { code: 404, name: 'NotFoundError', message: '你似乎来到了没有知识存在的荒原' } });
  });
});

describe('topic autocomplete', () => {
  const search = async (token: string, max = 5) =>
    (await anon()('GET', `/api/autocomplete/topics?token=${encodeURIComponent(token)}&max_matches=${max}`)).json as Array<{
      id: string;
      name: string;
      type: string;
      introduction: string;
    }>;

  it('matches the catalogue case-insensitively, exact name first', async () => {
    const java = await search('java');
    expect(java.map((t) => t.name)).toEqual(['Java', 'JavaScript']);
    expect(java[0]).toEqual({ id: expect.stringMatching(/^\d+$/) as unknown, name: 'Java', type: 'topic', introduction: '' });
    expect((await search('学', 2)).map((t) => t.name)).toEqual(['机器学习', '深度学习']);
    expect((await search('Script')).map((t) => t.name)).toEqual(['JavaScript', 'TypeScript']);
    expect(await search('  ')).toEqual([]);
  });

  it('makes up a topic named like any unmatched search, with a stable id', async () => {
    const first = await search('量子纠缠');
    expect(first).toEqual([{ id: expect.stringMatching(/^\d{11}$/) as unknown, name: '量子纠缠', type: 'topic', introduction: '' }]);
    expect(await search('量子纠缠')).toEqual(first);
    expect((await search('弦理论'))[0]?.id).not.toBe(first[0]?.id);

    // And it can be published with.
    const { reply, id } = await publishArticle(sandbox.url, 'alice', { topics: [first[0]?.id ?? ''] });
    expect(reply.status).toBe(200);
    expect(articleEntity((await (await reader())('GET', `/p/${id}`)).text, id)?.topics).toEqual([{ id: first[0]?.id, name: '量子纠缠' }]);
  });
});

describe('test hooks', () => {
  it('filters /__sandbox/articles by author and keeps publish order', async () => {
    const a1 = await publishArticle(sandbox.url, 'alice', { title: 'a1' });
    await publishArticle(sandbox.url, 'bob', { title: 'b1' });
    const a2 = await publishArticle(sandbox.url, 'alice', { title: 'a2' });
    const all = (await anon()('GET', '/__sandbox/articles')).json as Array<{ title: string }>;
    expect(all.map((a) => a.title)).toEqual(['a1', 'b1', 'a2']);
    const alice = (await anon()('GET', '/__sandbox/articles?author=alice')).json as Array<{ id: string }>;
    expect(alice.map((a) => a.id)).toEqual([a1.id, a2.id]);
  });

  it('resets articles, drafts and faults', async () => {
    const { id } = await publishArticle(sandbox.url, 'alice');
    const draft = await createDraft(sandbox.url, 'alice');
    await anon()('POST', '/__sandbox/faults', { kind: 'captcha' });
    const reset = await anon()('POST', '/__sandbox/reset');
    expect(reset.status).toBe(200);
    expect((await anon()('GET', '/__sandbox/articles')).json).toEqual([]);
    expect((await anon()('GET', '/__sandbox/faults')).json).toEqual([]);
    expect((await (await reader())('GET', `/p/${id}`)).status).toBe(404);
    expect((await as('alice')('GET', `/p/${draft}/edit`)).status).toBe(404);
  });
});
