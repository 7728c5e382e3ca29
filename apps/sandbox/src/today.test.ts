import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { columnsOf } from './settings.js';
import { TEST_XSRF, challengeToken, client, createDraft, initialData, publishToday, startSandbox } from './testing.js';
import type { Reply } from './testing.js';

// Today's publish API at the HTTP level: topics attached to the draft, settings in the publish
// call, refusals as HTTP 200 with a code, the xsrf pair, the columns of an account, and the
// anti-crawler check in front of article pages. What the editor page does with it: browser.test.ts.

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

const anon = () => client(sandbox.url);
const as = (name: string) => client(sandbox.url, name);
const addFault = (body: unknown) => anon()('POST', '/__sandbox/faults', body);
const articles = async () => (await anon()('GET', '/__sandbox/articles')).json as Array<Record<string, unknown>>;

function expectRefusal(reply: Reply, code: number): void {
  expect(reply.status).toBe(200);
  expect(reply.json).toMatchObject({ code });
  expect((reply.json as { message?: unknown }).message).not.toBe('success');
}

describe('content/publish', () => {
  it('publishes the saved draft with its topics and settings and answers success', async () => {
    const column = columnsOf('alice')[1];
    const id = await createDraft(sandbox.url, 'alice', '今天的发布', '<p>正文</p>');
    const cover = `${sandbox.url}/v2-0123456789abcdef0123456789abcdef.png`;
    expect((await as('alice')('PATCH', `/api/articles/${id}/draft`, { titleImage: cover, isTitleImageFullScreen: false })).status).toBe(200);
    for (const topic of ['19550000', '19550068']) {
      expect((await as('alice')('POST', `/api/articles/${id}/topics`, { id: topic, name: 'x', type: 'topic' })).status).toBe(200);
    }
    const answer = await as('alice')('POST', '/api/v4/content/publish', {
      action: 'article',
      data: {
        draft: { id, disabled: 1, isPublished: false },
        extra_info: { publisher: 'pc', pc_business_params: JSON.stringify({ column: { id: column?.id }, commentPermission: 'followee' }) },
        commentsPermission: { comment_permission: 'followee' },
        creationStatement: { disclaimer_type: 'spoiler', disclaimer_status: 'open' },
      },
    });
    expect(answer.status).toBe(200);
    const body = answer.json as { code: number; message: string; data: { result: string } };
    expect(body).toMatchObject({ code: 0, message: 'success', data: { publish_type: 'article' } });
    expect(JSON.parse(body.data.result)).toEqual({ publish: { id, url: `${sandbox.url}/p/${id}`, state: 'published', type: 'article' } });
    const stored = (await articles()).find((a) => a.id === id);
    expect(stored).toMatchObject({
      title: '今天的发布',
      topics: ['编程', 'JavaScript'],
      column,
      cover,
      statement: 'spoiler',
      commentPermission: 'followee',
    });
  });

  it('refuses with HTTP 200 and a code, and publishes nothing', async () => {
    const cases: Array<[string, number]> = [
      ['captcha', 40352],
      ['phone-binding', 4031],
      ['toast-error', 10001],
    ];
    for (const [kind, code] of cases) {
      await addFault({ kind, times: 1 });
      const { reply } = await publishToday(sandbox.url, 'alice');
      expectRefusal(reply, code);
    }
    await addFault({ kind: 'topic-required', times: 1 });
    expectRefusal((await publishToday(sandbox.url, 'alice', { topics: [] })).reply, 10002);
    expectRefusal((await publishToday(sandbox.url, 'alice', { column: 'c_not_mine' })).reply, 10005);
    expect(await articles()).toEqual([]);
    expect((await anon()('GET', '/__sandbox/faults')).json).toEqual([]);
  });

  it('risk-after-publish publishes, answers success, and shows 40362 on the next view only', async () => {
    await addFault({ kind: 'risk-after-publish', times: 1 });
    const { id, reply } = await publishToday(sandbox.url, 'alice');
    expect((reply.json as { message: string }).message).toBe('success');
    const alice = client(sandbox.url, 'alice', { zse: await challengeToken(sandbox.url) });
    const first = await alice('GET', `/p/${id}`);
    expect(first.status).toBe(403);
    expect(first.text).toContain('40362');
    expect(initialData(first.text)).toBeUndefined();
    const second = await alice('GET', `/p/${id}`);
    expect(second.status).toBe(200);
    expect(second.text).toContain('"state":"published"');

    await addFault({ kind: 'risk-after-publish', publish: false, times: 1 });
    expectRefusal((await publishToday(sandbox.url, 'alice')).reply, 40362);
    expect(await articles()).toHaveLength(1);
  });

  it('takes a write only with the xsrf header matching the _xsrf cookie', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    const bare = client(sandbox.url, 'alice', { xsrf: false });
    for (const [method, path, body] of [
      ['POST', '/api/articles/drafts', { title: 'x' }],
      ['PATCH', `/api/articles/${id}/draft`, { title: 'x' }],
      ['POST', `/api/articles/${id}/topics`, { id: '19550000' }],
      ['POST', '/api/v4/content/publish', { action: 'article', data: { draft: { id } } }],
      ['PUT', `/api/articles/${id}/publish`, { title: 't', content: '<p>x</p>' }],
    ] as const) {
      const reply = await bare(method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect((reply.json as { error: { code: number } }).error.code).toBe(10003);
    }
    const page = await fetch(`${sandbox.url}/write`, { headers: { cookie: 'z_c0=sandbox-alice' } });
    expect(page.headers.get('set-cookie')).toMatch(/^_xsrf=[0-9a-f]{32}; Path=\//);
    const known = await fetch(`${sandbox.url}/write`, { headers: { cookie: `z_c0=sandbox-alice; _xsrf=${TEST_XSRF}` } });
    expect(known.headers.get('set-cookie')).toBeNull();
    expect(await articles()).toEqual([]);
  });

  it('attaches at most three topics to a draft and removes them', async () => {
    const id = await createDraft(sandbox.url, 'alice');
    const attach = (topic: string) => as('alice')('POST', `/api/articles/${id}/topics`, { id: topic, type: 'topic' });
    for (const topic of ['19550000', '19550017', '19550034']) expect((await attach(topic)).status).toBe(200);
    expect((await attach('19550000')).status).toBe(200);
    const fourth = await attach('19550051');
    expect(fourth.status).toBe(400);
    expect(fourth.json).toEqual({ error: { code: 10004, message: '最多添加 3 个话题' } });
    expect((await attach('999')).json).toEqual({ error: { code: 10003, message: '话题不存在' } });
    const removed = await as('alice')('DELETE', `/api/articles/${id}/topics/19550017`);
    expect((removed.json as Array<{ id: string }>).map((t) => t.id)).toEqual(['19550000', '19550034']);
    expect((await as('bob')('POST', `/api/articles/${id}/topics`, { id: '19550000' })).status).toBe(403);
  });
});

describe('editing a published article', () => {
  const republish = (who: string, id: string) =>
    as(who)('POST', '/api/v4/content/publish', {
      action: 'article',
      data: {
        draft: { id, disabled: 1, isPublished: true },
        extra_info: { publisher: 'pc', pc_business_params: JSON.stringify({ column: null }) },
        commentsPermission: { comment_permission: 'anyone' },
        creationStatement: { disclaimer_type: 'none', disclaimer_status: 'close' },
      },
    });
  const pageTitle = async (id: string) => {
    const page = await client(sandbox.url, 'alice', { zse: await challengeToken(sandbox.url) })('GET', `/p/${id}`);
    return /<h1 class="Post-Title">([^<]*)<\/h1>/.exec(page.text)?.[1];
  };

  it('saves changes on a draft under the same id, keeps the article as it was until it is published again, and keeps every version', async () => {
    const column = columnsOf('alice')[0];
    const { id } = await publishToday(sandbox.url, 'alice', { title: '第一版', content: '<p>旧正文</p>', column: column?.id, statement: 'spoiler' });
    // Straight to the draft of the published article, without opening its editor (zhihu_obsidian's way).
    const saved = await as('alice')('PATCH', `/api/articles/${id}/draft`, { title: '第二版', content: '<p>新正文</p>' });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ id, title: '第二版', content: '<p>新正文</p>' });
    expect(await pageTitle(id)).toBe('第一版');
    expect(await articles()).toMatchObject([{ id, title: '第一版', html: '<p>旧正文</p>', versions: [{ title: '第一版' }] }]);
    const pending = (await anon()('GET', '/__sandbox/articles?state=draft')).json as unknown[];
    expect(pending).toEqual([expect.objectContaining({ id, title: '第二版', html: '<p>新正文</p>', state: 'draft', published: true })]);

    // The editor of the article starts from its draft and the settings it was published with.
    const editor = await as('alice')('GET', `/p/${id}/edit`);
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('第二版</textarea>');
    expect(editor.text).toMatch(new RegExp(`"published":true,"column":"${column?.id ?? ''}","statement":"spoiler","commentPermission":"anyone"`));

    const answer = await republish('alice', id);
    expect((answer.json as { message: string }).message).toBe('success');
    expect(await pageTitle(id)).toBe('第二版');
    const [article, ...others] = await articles();
    expect(others).toEqual([]);
    expect(article).toMatchObject({ id, title: '第二版', html: '<p>新正文</p>', state: 'published' });
    const versions = article?.versions as Array<{ title: string; html: string; publishedAt: string }>;
    expect(versions.map((v) => [v.title, v.html])).toEqual([
      ['第一版', '<p>旧正文</p>'],
      ['第二版', '<p>新正文</p>'],
    ]);
    expect(Date.parse(versions[1]?.publishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(versions[0]?.publishedAt ?? ''));
    expect(article?.updatedAt).toBe(versions[1]?.publishedAt);
    expect(article?.publishedAt).toBe(versions[0]?.publishedAt);
    expect((await anon()('GET', '/__sandbox/articles?state=draft')).json).toEqual([]);
  });

  it('refuses another account’s article (403 ForbiddenError) and a missing one (404), changing nothing', async () => {
    const { id } = await publishToday(sandbox.url, 'alice', { title: '别人的文章' });
    const forbidden = await as('bob')('PATCH', `/api/articles/${id}/draft`, { title: '改掉' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toEqual({ error: { code: 403, name: 'ForbiddenError', message: '你没有权限进行此操作' } });
    expect((await republish('bob', id)).status).toBe(403);
    expect((await as('bob')('POST', `/api/articles/${id}/topics`, { id: '19550000' })).status).toBe(403);
    const missing = await as('alice')('PATCH', '/api/articles/1234567890123456789/draft', { title: '改掉' });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 404, name: 'NotFoundError' } });
    expect(await articles()).toMatchObject([{ id, title: '别人的文章', versions: [{ title: '别人的文章' }] }]);
    expect((await anon()('GET', '/__sandbox/articles?state=all')).json).toHaveLength(1);
  });

  it('lists a draft that was never published as a draft, with no public page', async () => {
    const id = await createDraft(sandbox.url, 'alice', '只是草稿', '<p>不公开</p>');
    expect(await articles()).toEqual([]);
    const all = (await anon()('GET', '/__sandbox/articles?state=all&author=alice')).json;
    expect(all).toEqual([expect.objectContaining({ id, title: '只是草稿', author: 'alice', state: 'draft', published: false })]);
    expect((await anon()('GET', '/__sandbox/articles?state=draft&author=bob')).json).toEqual([]);
    expect((await anon()('GET', '/__sandbox/articles?state=later')).status).toBe(400);
    const page = await client(sandbox.url, 'alice', { zse: await challengeToken(sandbox.url) })('GET', `/p/${id}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('不公开');
  });
});

describe('columns of an account', () => {
  it('lists the two columns every account owns, stable across sandboxes', async () => {
    await as('alice')('GET', '/api/v4/me');
    const reply = await anon()('GET', '/api/v4/members/alice/column-contributions?include=data%5B*%5D.column.title&offset=0&limit=20');
    expect(reply.status).toBe(200);
    const body = reply.json as { paging: { is_end: boolean; totals: number }; data: Array<{ column: { id: string; title: string } }> };
    expect(body.paging).toMatchObject({ is_end: true, totals: 2 });
    expect(body.data.map((d) => ({ id: d.column.id, title: d.column.title }))).toEqual(columnsOf('alice'));
    for (const c of columnsOf('alice')) expect(c.id).toMatch(/^c_\d{19}$/);
    expect(columnsOf('bob')[0]?.id).not.toBe(columnsOf('alice')[0]?.id);
    expect((await anon()('GET', '/api/v4/members/nobody-here/column-contributions')).status).toBe(404);
  });
});

describe('the anti-crawler check on article pages', () => {
  it('answers 403 without __zse_ck, sends a stale one to /account/unhuman, and shows the article to one that passed', async () => {
    const { id } = await publishToday(sandbox.url, 'alice');
    for (const who of [anon(), as('alice')]) {
      const blocked = await who('GET', `/p/${id}`);
      expect(blocked.status).toBe(403);
      expect(blocked.text).not.toContain('js-initialData');
      expect(blocked.text).toContain('__zse_ck');
    }
    const stale = await client(sandbox.url, 'alice', { zse: 'stale' })('GET', `/p/${id}`);
    expect(stale.status).toBe(302);
    expect(stale.headers.get('location')).toMatch(/\/account\/unhuman\?type=unhuman&/);
    const token = await challengeToken(sandbox.url);
    for (const who of [client(sandbox.url, undefined, { zse: token }), client(sandbox.url, 'alice', { zse: token })]) {
      const page = await who('GET', `/p/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('"state":"published"');
    }
  });
});

describe('layout', () => {
  it('serves today by default and the legacy dialog once configured', async () => {
    expect((await as('alice')('GET', '/write')).text).toContain('"layout":"today"');
    expect((await anon()('POST', '/__sandbox/config', { layout: 'legacy' })).json).toMatchObject({ layout: 'legacy' });
    expect((await as('alice')('GET', '/write')).text).toContain('"layout":"legacy"');
    const reset = await anon()('POST', '/__sandbox/reset');
    expect(reset.status).toBe(200);
    // A reset clears data, not configuration.
    expect((await anon()('GET', '/__sandbox/config')).json).toMatchObject({ layout: 'legacy' });
  });
});
