import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { challengeToken, client, createDraft, publishArticle, startSandbox } from './testing.js';
import type { Reply } from './testing.js';

// Each fault at the HTTP level: where it fires, what Zhihu's answer looks like, and how `times`
// and `author` use it up. What the editor page makes of these answers is in browser.test.ts.

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

const anon = () => client(sandbox.url);
const as = (name: string) => client(sandbox.url, name);
const reader = async () => client(sandbox.url, undefined, { zse: await challengeToken(sandbox.url) });
const addFault = (body: unknown) => anon()('POST', '/__sandbox/faults', body);
const listFaults = async () => (await anon()('GET', '/__sandbox/faults')).json as Array<Record<string, unknown>>;
const articles = async () => (await anon()('GET', '/__sandbox/articles')).json as Array<{ id: string; title: string }>;
const errorOf = (reply: Reply) => (reply.json as { error: Record<string, unknown> }).error;

const LOGIN = { code: 100, name: 'AuthenticationInvalidRequest', message: '请求参数异常，请升级客户端后重试。' };

describe('the fault hook', () => {
  it('creates, lists and clears faults', async () => {
    const created = await addFault({ kind: 'captcha', times: 2, author: 'alice' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String) as unknown, kind: 'captcha', times: 2, author: 'alice' });
    const forever = await addFault({ kind: 'slow-page' });
    expect(forever.json).toMatchObject({ kind: 'slow-page', times: null, author: null, ms: 5000 });
    expect((await addFault({ kind: 'no-redirect' })).json).toMatchObject({ publish: true });
    expect((await addFault({ kind: 'slow-redirect', ms: 10 })).json).toMatchObject({ ms: 10 });

    expect((await listFaults()).map((f) => [f.kind, f.remaining])).toEqual([
      ['captcha', 2],
      ['slow-page', null],
      ['no-redirect', null],
      ['slow-redirect', null],
    ]);
    expect((await anon()('DELETE', '/__sandbox/faults')).status).toBe(200);
    expect(await listFaults()).toEqual([]);
  });

  it('answers 400 naming the bad field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'meteor-strike' }, /^kind: /],
      [{}, /^kind: /],
      [[], /^body: /],
      [{ kind: 'captcha', times: 0 }, /^times: /],
      [{ kind: 'captcha', times: 1.5 }, /^times: /],
      [{ kind: 'captcha', times: '3' }, /^times: /],
      [{ kind: 'captcha', author: 'not a name' }, /^author: /],
      [{ kind: 'slow-page', ms: -5 }, /^ms: /],
      [{ kind: 'captcha', ms: 100 }, /"ms"/],
      [{ kind: 'captcha', publish: false }, /"publish"/],
      [{ kind: 'no-redirect', publish: 'no' }, /^publish: /],
    ];
    for (const [body, message] of cases) {
      const reply = await addFault(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(String(errorOf(reply).message), JSON.stringify(body)).toMatch(message);
    }
    expect((await addFault('{oops')).status).toBe(400);
    expect(await listFaults()).toEqual([]);
  });
});

describe('consumption', () => {
  it('fires `times` times and then is gone', async () => {
    await addFault({ kind: 'login-expired', times: 2 });
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(401);
    expect((await listFaults())[0]?.remaining).toBe(1);
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(401);
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(200);
    expect(await listFaults()).toEqual([]);
  });

  it('fires until reset when `times` is left out', async () => {
    await addFault({ kind: 'login-expired' });
    for (let i = 0; i < 5; i++) expect((await as('alice')('GET', '/api/v4/me')).status).toBe(401);
    await anon()('POST', '/__sandbox/reset');
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(200);
  });

  it('fires only for its author and is not used up by others', async () => {
    await addFault({ kind: 'login-expired', times: 1, author: 'alice' });
    expect((await as('bob')('GET', '/api/v4/me')).status).toBe(200);
    expect((await listFaults())[0]?.remaining).toBe(1);
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(401);
    expect((await as('alice')('GET', '/api/v4/me')).status).toBe(200);
  });

  it('uses the oldest matching fault first', async () => {
    await addFault({ kind: 'slow-redirect', ms: 111, times: 1 });
    await addFault({ kind: 'slow-redirect', ms: 222, times: 1 });
    const hint = async () => ((await publishArticle(sandbox.url, 'alice')).reply.json as { _sandbox: { redirectAfterMs: number } })._sandbox.redirectAfterMs;
    expect(await hint()).toBe(111);
    expect(await hint()).toBe(222);
    expect(await hint()).toBe(0);
  });
});

describe('login-expired', () => {
  it('fires at /api/v4/me, /write and publish with Zhihu’s 401', async () => {
    await addFault({ kind: 'login-expired', times: 3 });
    const me = await as('alice')('GET', '/api/v4/me');
    expect(me.status).toBe(401);
    expect(me.json).toEqual({ error: LOGIN });

    const write = await as('alice')('GET', '/write');
    expect(write.status).toBe(302);
    expect(write.headers.get('location')).toBe(`${sandbox.url}/signin?next=${encodeURIComponent(`${sandbox.url}/write`)}`);

    const { reply } = await publishArticle(sandbox.url, 'alice');
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ error: LOGIN });
    expect(await articles()).toEqual([]);
    expect(await listFaults()).toEqual([]);
  });
});

describe('publish faults', () => {
  it('captcha answers 40352 with a redirect to the unhuman page, which exists', async () => {
    await addFault({ kind: 'captcha', times: 1 });
    const { reply } = await publishArticle(sandbox.url, 'alice');
    expect(reply.status).toBe(403);
    const error = errorOf(reply);
    expect(error).toEqual({
      code: 40352,
      name: 'ERR_NEED_CAPTCHA',
      message: '系统监测到您的网络环境存在异常，为保证您的正常访问，请输入验证码进行验证。',
      redirect: `${sandbox.url}/account/unhuman?type=unhuman&message=${encodeURIComponent(String(error.message))}&need_login=true`,
    });
    expect(await articles()).toEqual([]);

    const page = await anon()('GET', String(error.redirect).slice(sandbox.url.length));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>安全验证 - 知乎</title>');
    expect(page.text).toContain('为了您的账号安全，请完成验证');
    expect(page.text).toContain('40352');
    expect(page.text).toContain('role="img"');

    expect((await publishArticle(sandbox.url, 'alice')).reply.status).toBe(200);
  });

  it('risk-after-publish stores the article and still answers 40362', async () => {
    await addFault({ kind: 'risk-after-publish', times: 1 });
    const { id, reply } = await publishArticle(sandbox.url, 'alice', { title: '被风控的文章' });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: {
        code: 40362,
        name: 'ERR_RISK_CONTROL',
        message: '您当前请求存在异常，暂时限制本次访问。如有疑问，您可以通过手机摇一摇或登录后私信知乎小管家反馈。',
      },
    });
    expect((await articles()).map((a) => a.id)).toEqual([id]);
    const page = await (await reader())('GET', `/p/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('"state":"published"');
  });

  it('phone-binding answers 4031 and publishes nothing', async () => {
    await addFault({ kind: 'phone-binding', times: 1 });
    const { id, reply } = await publishArticle(sandbox.url, 'alice');
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ error: { code: 4031, name: 'ERR_PHONE_BINDING', message: '根据国家法律法规要求，发布内容前需要绑定手机号。' } });
    expect(await articles()).toEqual([]);
    expect((await (await reader())('GET', `/p/${id}`)).status).toBe(404);
  });

  it('toast-error answers 500 and publishes nothing', async () => {
    await addFault({ kind: 'toast-error', times: 1 });
    const { reply } = await publishArticle(sandbox.url, 'alice');
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ error: { code: 10001, message: '发布失败，请稍后重试' } });
    expect(await articles()).toEqual([]);
  });

  it('topic-required refuses a publish without topics and is not used by one with topics', async () => {
    await addFault({ kind: 'topic-required', times: 1 });
    const withTopics = await publishArticle(sandbox.url, 'alice', { topics: ['19550000'] });
    expect(withTopics.reply.status).toBe(200);
    expect(await listFaults()).toHaveLength(1);

    const without = await publishArticle(sandbox.url, 'alice', { topics: [] });
    expect(without.reply.status).toBe(400);
    expect(without.reply.json).toEqual({ error: { code: 10002, message: '请至少添加一个话题' } });
    expect((await articles()).map((a) => a.id)).toEqual([withTopics.id]);
    expect(await listFaults()).toEqual([]);
  });

  it('slow-redirect publishes and tells the page to wait `ms`', async () => {
    await addFault({ kind: 'slow-redirect', ms: 1234, times: 1 });
    const { id, reply } = await publishArticle(sandbox.url, 'alice');
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ id, state: 'published', _sandbox: { redirectAfterMs: 1234 } });
    expect(await articles()).toHaveLength(1);
  });

  it('no-redirect answers 200 and publishes only when `publish` is true', async () => {
    await addFault({ kind: 'no-redirect', times: 1 });
    const kept = await publishArticle(sandbox.url, 'alice');
    expect(kept.reply.status).toBe(200);
    expect(kept.reply.json).toMatchObject({ id: kept.id, state: 'published', _sandbox: { redirectAfterMs: null } });
    expect((await (await reader())('GET', `/p/${kept.id}`)).status).toBe(200);

    await addFault({ kind: 'no-redirect', publish: false, times: 1 });
    const lost = await publishArticle(sandbox.url, 'alice');
    expect(lost.reply.status).toBe(200);
    expect(lost.reply.json).toMatchObject({ id: lost.id, state: 'published', _sandbox: { redirectAfterMs: null } });
    expect((await (await reader())('GET', `/p/${lost.id}`)).status).toBe(404);
    expect((await articles()).map((a) => a.id)).toEqual([kept.id]);
  });

  it('a validation error comes before account faults and does not use them', async () => {
    await addFault({ kind: 'captcha', times: 1 });
    const id = await createDraft(sandbox.url, 'alice');
    const reply = await as('alice')('PUT', `/api/articles/${id}/publish`, { title: 'x'.repeat(101), content: '<p>x</p>' });
    expect(reply.status).toBe(400);
    expect(await listFaults()).toHaveLength(1);
  });
});

describe('editor load faults', () => {
  it('editor-changed drops the Draft.js editor for one load', async () => {
    await addFault({ kind: 'editor-changed', times: 1 });
    const changed = await as('alice')('GET', '/write');
    expect(changed.status).toBe(200);
    expect(changed.text).not.toContain('public-DraftEditor-content');
    expect(changed.text).toContain('<div class="ProseMirror" contenteditable="true"');
    expect(changed.text).toContain('placeholder="请输入标题（最多 100 个字）"');
    expect(changed.text).toContain('>发布</button>');
    expect((await as('alice')('GET', '/write')).text).toContain('public-DraftEditor-content');
  });

  it('renderer-crash adds the crashing script for one load', async () => {
    await addFault({ kind: 'renderer-crash', times: 1, author: 'alice' });
    const crashScript = "'a'.repeat(134217728 + 1048576)";
    expect((await as('bob')('GET', '/write')).text).not.toContain(crashScript);
    expect((await as('alice')('GET', '/write')).text).toContain(crashScript);
    expect((await as('alice')('GET', '/write')).text).not.toContain(crashScript);
  });

  it('slow-page holds the editor for `ms`', async () => {
    await addFault({ kind: 'slow-page', ms: 600, times: 1 });
    let t0 = Date.now();
    expect((await as('alice')('GET', '/write')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(580);
    t0 = Date.now();
    await as('alice')('GET', '/write');
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('logged-out visitors neither see nor use faults', async () => {
    await addFault({ kind: 'slow-page', ms: 5000, times: 1 });
    const t0 = Date.now();
    expect((await anon()('GET', '/write')).status).toBe(302);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await listFaults()).toHaveLength(1);
  });
});
