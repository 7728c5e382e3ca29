/**
 * The Zhihu cookies of an account are as good as its password. After a full publish (a success, a
 * failure with a screenshot, an expired login, refusals, a cookie update, a login check) every
 * place they could leak is searched: every log file, every API answer and event, every Redis key
 * and value (job payloads too, also while a task runs), every stored document, the screenshot.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskEvent } from '@zpub/shared';
import { loadSecretBox } from '@zpub/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { dumpRedis, postTrpc, procedures, stackLogs } from './helpers';

const TERMINAL = ['success', 'failed', 'cancelled', 'unconfirmed'];

/** A user that keeps every answer the server gave it. */
class Witness extends User {
  readonly answers: string[] = [];

  override async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const res = await super.fetch(input, init);
    // Event streams are kept through the recorder's events (their body never ends).
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      const copy = res.clone();
      const headers: string[] = [];
      res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
      this.answers.push(`${res.status}\n${headers.join('\n')}\n${Buffer.from(await copy.arrayBuffer()).toString('latin1')}`);
    }
    return res;
  }
}

const secret = (tag: string) => `${tag}${randomBytes(12).toString('hex')}`;
const SECRETS = {
  header: secret('hdr'),
  json: secret('json'),
  updated: secret('upd'),
  refusedNoLogin: secret('nologin'),
  refusedTooBig: secret('toobig'),
  refusedUpdate: secret('badupd'),
};
const NAME = `leak${randomBytes(3).toString('hex')}`;
const JSON_NAME = `${NAME}j`;
/** The login cookie values themselves; the sandbox account name alone is not a secret. */
const LOGIN_VALUES = [`sandbox-${NAME}`, `sandbox-${JSON_NAME}`];

let stack: TestStack;
let alice: Witness;
let accountId: string;
let jsonAccountId: string;
let okTaskId: string;
let failedTaskId: string;
let expiredTaskId: string;
const events: TaskEvent[] = [];
/** Redis as it was while a task ran (its Bee-Queue job still in place). */
let redisWhileRunning: { key: string; type: string; text: string }[] = [];
let screenshot: Buffer;

function needles(): string[] {
  const values = [...Object.values(SECRETS), ...LOGIN_VALUES];
  // Also as they would look base64-encoded, in case something encodes before it leaks.
  return [...values, ...values.map((v) => Buffer.from(v).toString('base64')), ...values.map((v) => Buffer.from(v).toString('base64url'))];
}

function leaks(where: string, text: string): string[] {
  return needles()
    .filter((n) => text.includes(n))
    .map((n) => `${where} contains ${n}`);
}

beforeAll(async () => {
  // Debug logs: the most a server and worker ever write. No automatic retries: failures end at once.
  stack = await bootStack({ workers: 1, logLevel: 'debug', serverEnv: { AUTO_RETRIES: '0' } });
  alice = new Witness(stack.urls.app);
  await alice.api.auth.register.mutate({ email: `secrets${Date.now()}@example.com`, password: 'correct horse battery' });

  // A Cookie header with more than the login cookie, and a JSON export from a cookie extension.
  accountId = (await alice.api.account.create.mutate({ platform: 'sandbox', name: NAME, cookies: `z_c0=sandbox-${NAME}; d_c0=${SECRETS.header}; _xsrf=${SECRETS.header}x` })).id;
  jsonAccountId = (
    await alice.api.account.create.mutate({
      platform: 'sandbox',
      name: JSON_NAME,
      cookies: JSON.stringify([
        { name: 'z_c0', value: `sandbox-${JSON_NAME}`, domain: '.zhihu.com', path: '/', httpOnly: true, secure: true },
        { name: 'q_c1', value: SECRETS.json, domain: '.zhihu.com', path: '/' },
      ]),
    })
  ).id;

  // Refusals that carry cookie text: their error messages must not echo it.
  await expectRefusal(alice.api.account.create.mutate({ platform: 'sandbox', name: 'x', cookies: `d_c0=${SECRETS.refusedNoLogin}` }));
  await expectRefusal(alice.api.account.create.mutate({ platform: 'sandbox', name: 'x', cookies: `z_c0=${SECRETS.refusedTooBig}; pad=${'p'.repeat(17_000)}` }));
  await postTrpc(alice, 'account.updateCookies', { id: jsonAccountId, cookies: `not cookies ${SECRETS.refusedUpdate}` });

  const rec = alice.record();
  await rec.started;
  let sawRunning = false;
  const ok = await alice.api.task.create.mutate({ accountId, title: '秘密不外泄', content: '正文 **粗体**', topics: ['编程'] });
  okTaskId = ok.taskId;
  await rec.until((es) => {
    if (!sawRunning && es.some((e) => e.taskId === okTaskId && e.stage === 'login')) sawRunning = true;
    return sawRunning;
  }, 120_000, 'the task to be logged in');
  redisWhileRunning = await dumpRedis(stack.urls.redis);
  await rec.until((es) => es.some((e) => e.taskId === okTaskId && TERMINAL.includes(e.status)), 120_000, 'the first task to end');

  await stack.sandboxApi.fault({ kind: 'toast-error', author: NAME });
  failedTaskId = (await alice.api.task.create.mutate({ accountId, title: '失败留证', content: '正文' })).taskId;
  await stack.sandboxApi.fault({ kind: 'login-expired', author: JSON_NAME });
  expiredTaskId = (await alice.api.task.create.mutate({ accountId: jsonAccountId, title: '登录过期', content: '正文' })).taskId;
  await rec.until(
    (es) => [failedTaskId, expiredTaskId].every((id) => es.some((e) => e.taskId === id && TERMINAL.includes(e.status))),
    120_000,
    'the failing tasks to end',
  );
  rec.stop();
  events.push(...rec.events);

  // Fresh cookies pasted for the expired account, then checked by a worker's browser (both
  // arrived with the account checks; raw calls keep this suite independent of their typing).
  const has = (path: string) => procedures().some((p) => p.path === path);
  if (has('account.updateCookies')) {
    const updated = await postTrpc(alice, 'account.updateCookies', { id: jsonAccountId, cookies: `z_c0=sandbox-${JSON_NAME}; d_c0=${SECRETS.updated}` });
    expect(updated.status).toBe(200);
  }
  if (has('account.verify')) await postTrpc(alice, 'account.verify', { id: jsonAccountId });

  // Everything a person can look at afterwards.
  await alice.api.account.list.query();
  await alice.api.task.list.query({});
  for (const id of [okTaskId, failedTaskId, expiredTaskId]) await alice.api.task.byId.query({ id });
  await alice.api.stats.summary.query();
  await alice.api.worker.list.query();
  await alice.api.auth.me.query();
  const shot = await alice.fetch(`${stack.urls.app}/api/evidence/${failedTaskId}`);
  expect(shot.status).toBe(200);
  screenshot = Buffer.from(await shot.arrayBuffer());
}, 400_000);

afterAll(async () => {
  await stack?.stop();
});

describe('after a full publish, the cookies of an account', () => {
  it('went through the whole path (the search below looks at real traffic)', async () => {
    const final = (id: string) => events.filter((e) => e.taskId === id).at(-1);
    expect(final(okTaskId)?.status).toBe('success');
    expect(final(failedTaskId)?.error?.code).toBe('PUBLISH_REJECTED');
    expect(final(expiredTaskId)?.error?.code).toBe('LOGIN_EXPIRED');
    expect(redisWhileRunning.some((k) => k.key.includes(':bq:'))).toBe(true);
    expect(screenshot.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(alice.answers.length).toBeGreaterThan(15);
  });

  it('appear in no log line of any process', () => {
    const logs = stackLogs(stack);
    expect(logs.map((l) => l.file)).toEqual(expect.arrayContaining(['server.log', 'worker-1.log', 'sandbox.log']));
    expect(logs.find((l) => l.file === 'worker-1.log')?.text).toContain('attempt started');
    expect(logs.flatMap((l) => leaks(l.file, l.text))).toEqual([]);
  });

  it('appear in no API answer, error or event', () => {
    expect(alice.answers.flatMap((a, i) => leaks(`answer ${i}`, a))).toEqual([]);
    expect(leaks('events', JSON.stringify(events))).toEqual([]);
  });

  it('appear in no Redis key or value, during the run or after it', async () => {
    const after = await dumpRedis(stack.urls.redis);
    const all = [...redisWhileRunning, ...after];
    expect(all.flatMap((k) => [...leaks(`key ${k.key}`, k.key), ...leaks(`value of ${k.key}`, k.text)])).toEqual([]);
    // The job payloads name the task and nothing else.
    const jobs = redisWhileRunning.filter((k) => /:bq:publish:jobs$/.test(k.key));
    expect(jobs.length).toBe(1);
    for (const payload of Object.values(JSON.parse(jobs[0]?.text ?? '{}') as Record<string, string>)) {
      const data = (JSON.parse(payload) as { data: Record<string, unknown> }).data;
      expect(Object.keys(data).sort()).toEqual(expect.arrayContaining(['taskId']));
      expect(Object.keys(data).every((k) => ['taskId', 'jobId', 'kind', 'accountId', 'requestId'].includes(k))).toBe(true);
    }
  });

  it('appear in no screenshot (its bytes and metadata) and no evidence record', async () => {
    expect(leaks('screenshot', screenshot.toString('latin1'))).toEqual([]);
    const db = await stack.db();
    const evidence = await db.collection('evidence').find({}).toArray();
    expect(evidence.length).toBeGreaterThan(0);
    expect(leaks('evidence records', JSON.stringify(evidence))).toEqual([]);
  });

  it('are stored only sealed (AES-256-GCM), and open with the key to what was pasted', async () => {
    const db = await stack.db();
    for (const name of await db.listCollections()) {
      const docs = await db.collection(name.name).find({}).toArray();
      expect(leaks(`collection ${name.name}`, JSON.stringify(docs))).toEqual([]);
    }
    const accounts = await db.collection('accounts').find({}).toArray();
    expect(accounts).toHaveLength(2);
    // The development key the apps generated in the stack's DATA_DIR.
    expect(readFileSync(join(stack.dir, 'secret.key'), 'utf8').trim().length).toBeGreaterThan(40);
    const { box } = loadSecretBox({ dataDir: stack.dir, production: false });
    const opened = accounts.map((a) => box.open(String(a['cookiesSealed'])));
    expect(accounts.every((a) => String(a['cookiesSealed']).startsWith(`v1.${box.currentKeyId}.`))).toBe(true);
    expect(opened.join('\n')).toContain(SECRETS.header);
    if (procedures().some((p) => p.path === 'account.updateCookies')) expect(opened.join('\n')).toContain(SECRETS.updated);
  });
});
