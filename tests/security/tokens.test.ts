/**
 * Personal API tokens, tested like sessions: shown once and stored only as a hash; accepted as
 * `Authorization: Bearer` on every server process and refused on all of them the moment they are
 * revoked; bound by the same ownership rules and limits as the session of their user; never
 * able to manage tokens or the password; and never written to a log, an answer or Redis.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppHandle } from '@zpub/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenHolder, User, expectRefusal, refusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { dumpRedis, postTrpc, sleep, stackLogs, startExtraServer } from './helpers';

const PASSWORD = 'correct horse battery';
const SUBMISSIONS_PER_MINUTE = 6;
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let stack: TestStack;
let second: AppHandle;
/** Every token any test created: the log, answer and Redis searches look for all of them. */
const secrets: string[] = [];
/** Every answer a token holder got after its token was created. */
const answers: string[] = [];

class Recording extends TokenHolder {
  override async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const res = await super.fetch(input, init);
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) answers.push(await res.clone().text());
    return res;
  }
}

async function newToken(owner: User, name = `t${randomBytes(3).toString('hex')}`): Promise<{ id: string; token: string }> {
  const created = await owner.api.token.create.mutate({ name, password: PASSWORD });
  secrets.push(created.token);
  return { id: created.id, token: created.token };
}

const holder = (baseUrl: string, token: string) => new Recording(baseUrl, token);

beforeAll(async () => {
  // Debug logs: the most a server ever writes.
  stack = await bootStack({ workers: 0, logLevel: 'debug', serverEnv: { USER_MAX_PER_MINUTE: String(SUBMISSIONS_PER_MINUTE) } });
  second = await startExtraServer(stack, 'server-2', { LOG_LEVEL: 'debug' });
});

afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

describe('a personal API token', () => {
  it('is shown once, stored only as its SHA-256, and listed by name, creation and last use', async () => {
    const alice = await User.register(stack.urls.app);
    const created = await alice.api.token.create.mutate({ name: 'laptop CLI', password: PASSWORD });
    secrets.push(created.token);
    expect(created.token).toMatch(/^zpub_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'laptop CLI', lastUsedAt: null });

    const db = await stack.db();
    const stored = await db.collection('api_tokens').find({}).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]?._id).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(5));

    const listed = await alice.api.token.list.query();
    expect(listed).toEqual([{ id: created.id, name: 'laptop CLI', createdAt: created.createdAt, lastUsedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const cli = holder(stack.urls.app, created.token);
    expect((await cli.api.auth.me.query())?.email).toBe((await alice.api.auth.me.query())?.email);
    expect(await cli.api.task.list.query({})).toMatchObject({ items: [], total: 0 });
    const used = (await alice.api.token.list.query())[0]?.lastUsedAt;
    expect(used).toBeTruthy();
    expect(Date.parse(used ?? '')).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
  });

  it('needs the password to be created, from a session: a token cannot mint tokens, revoke them or change the password', async () => {
    const bob = await User.register(stack.urls.app);
    expect(await expectRefusal(bob.api.token.create.mutate({ name: 'x', password: 'not my password' }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'WRONG_PASSWORD' });
    expect(await bob.api.token.list.query()).toEqual([]);
    const { id, token } = await newToken(bob);
    const cli = holder(stack.urls.app, token);
    const refusal = { code: 'FORBIDDEN', appCode: 'SESSION_REQUIRED', message: expect.stringContaining('an API token cannot do it') };
    expect(await expectRefusal(cli.api.token.create.mutate({ name: 'more', password: PASSWORD }))).toMatchObject(refusal);
    expect(await expectRefusal(cli.api.token.list.query())).toMatchObject(refusal);
    expect(await expectRefusal(cli.api.token.revoke.mutate({ id }))).toMatchObject(refusal);
    expect(await expectRefusal(cli.api.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'taken over by a token' }))).toMatchObject(refusal);
    // Logging out with a token ends nothing (there is no session to end).
    await cli.api.auth.logout.mutate();
    expect(await cli.api.auth.me.query()).not.toBeNull();
    expect(await bob.api.token.list.query()).toHaveLength(1);
  });

  it('is refused at once on every server process when revoked, with a message that says so', async () => {
    const carol = await User.register(stack.urls.app);
    const { id, token } = await newToken(carol);
    const onFirst = holder(stack.urls.app, token);
    const onSecond = holder(second.url, token);
    // Both processes have now looked the token up (and cached it for 30 s).
    expect(await onFirst.api.auth.me.query()).not.toBeNull();
    expect(await onSecond.api.auth.me.query()).not.toBeNull();
    expect((await onSecond.api.task.list.query({})).total).toBe(0);

    await carol.api.token.revoke.mutate({ id });
    expect(await carol.api.token.list.query()).toEqual([]);
    const refused = { code: 'UNAUTHORIZED', status: 401, appCode: 'TOKEN_REFUSED', message: expect.stringContaining('The API token was refused') };
    expect(await expectRefusal(onFirst.api.task.list.query({}))).toMatchObject(refused);
    // The other process hears of it through Redis, long before its cache would have let go.
    const deadline = Date.now() + 5000;
    while ((await onSecond.api.auth.me.query()) !== null && Date.now() < deadline) await sleep(50);
    expect(await onSecond.api.auth.me.query()).toBeNull();
    expect(await expectRefusal(onSecond.api.task.list.query({}))).toMatchObject(refused);
    expect(await expectRefusal(carol.api.token.revoke.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND', message: 'No such token' });
  });

  it('ends its open live stream on every server the moment it is revoked: no event after that', async () => {
    const owner = await User.register(stack.urls.app);
    const account = await owner.sandboxAccount();
    const { id, token } = await newToken(owner);
    const watcher = holder(second.url, token);
    const seen: string[] = [];
    let failure: unknown = null;
    await new Promise<void>((started) => {
      watcher.api.task.onUpdate.subscribe(undefined, {
        onStarted: () => started(),
        onData: (e) => seen.push(e.data.taskId),
        onError: (err) => (failure = err),
      });
    });
    const before = await owner.api.task.create.mutate({ accountId: account.id, title: '撤销前', content: '正文', scheduledAt: later(1) });
    const deadline = Date.now() + 10_000;
    while (!seen.includes(before.taskId) && Date.now() < deadline) await sleep(50);
    expect(seen).toContain(before.taskId);

    await owner.api.token.revoke.mutate({ id });
    while (failure === null && Date.now() < deadline + 5000) await sleep(50);
    expect(refusal(failure)).toMatchObject({ code: 'UNAUTHORIZED', message: 'Your session or API token was revoked' });
    // The owner's own stream shows the next task; the revoked one never does.
    const rec = owner.record();
    await rec.started;
    const after = await owner.api.task.create.mutate({ accountId: account.id, title: '撤销后', content: '正文', scheduledAt: later(1) });
    await rec.until((es) => es.some((e) => e.taskId === after.taskId), 10_000, "the owner's event");
    rec.stop();
    expect(seen).not.toContain(after.taskId);
  });

  it('dies with the password: changing it revokes every token of the user, on every process', async () => {
    const dave = await User.register(stack.urls.app);
    const tokens = [await newToken(dave), await newToken(dave)];
    const onSecond = tokens.map((t) => holder(second.url, t.token));
    for (const h of onSecond) expect(await h.api.auth.me.query()).not.toBeNull();
    const changed = await dave.api.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'a brand new secret' });
    expect(changed).toMatchObject({ revokedTokens: 2 });
    const deadline = Date.now() + 5000;
    for (const h of onSecond) {
      while ((await h.api.auth.me.query()) !== null && Date.now() < deadline) await sleep(50);
      expect(await h.api.auth.me.query()).toBeNull();
    }
    expect(await dave.api.token.list.query()).toEqual([]);
  });

  it("reaches only its user's data: another user's task, account and batch are NOT_FOUND", async () => {
    const owner = await User.register(stack.urls.app);
    const account = await owner.sandboxAccount();
    const task = await owner.api.task.create.mutate({ accountId: account.id, title: '别人的', content: '正文', scheduledAt: later(1) });
    const batch = await owner.api.task.createBatch.mutate({ accountId: account.id, articles: [{ title: '别人的批', content: '正文', scheduledAt: later(1) }] });
    const intruder = await User.register(stack.urls.app);
    const cli = holder(stack.urls.app, (await newToken(intruder)).token);
    expect(await expectRefusal(cli.api.task.byId.query({ id: task.taskId }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await expectRefusal(cli.api.task.cancel.mutate({ id: task.taskId }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await expectRefusal(cli.api.task.retry.mutate({ id: task.taskId }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await cli.api.task.cancelMany.mutate({ ids: [task.taskId] })).toEqual({ changed: [], skipped: [{ id: task.taskId, reason: 'No such task', code: 'NOT_FOUND' }] });
    expect(await expectRefusal(cli.api.task.create.mutate({ accountId: account.id, title: 't', content: 'c' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await cli.api.task.list.query({ batchId: batch.batchId ?? undefined })).toMatchObject({ items: [], total: 0 });
    expect(await cli.api.account.list.query()).toEqual([]);
    const evidence = await cli.fetch(`${stack.urls.app}/api/evidence/${task.taskId}`);
    expect(evidence.status).toBe(404);
    expect((await owner.api.task.byId.query({ id: task.taskId })).status).toBe('pending');
  });

  it('counts against the submission limit of its user, shared with the sessions of that user', async () => {
    const erin = await User.register(stack.urls.app);
    const account = await erin.sandboxAccount();
    const cli = holder(stack.urls.app, (await newToken(erin)).token);
    const submit = (who: User) => who.api.task.create.mutate({ accountId: account.id, title: '限额', content: '正文', scheduledAt: later(1) });
    for (let i = 0; i < SUBMISSIONS_PER_MINUTE - 1; i++) await submit(cli);
    await submit(erin);
    const refused = await expectRefusal(submit(cli));
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, appCode: 'RATE_LIMITED' });
    expect(refused.message).toMatch(/Too many submissions in the last minute; try again in \d+ s/);
    expect(await expectRefusal(submit(erin))).toMatchObject({ appCode: 'RATE_LIMITED' });
    // Another user's token is not affected.
    const other = await User.register(stack.urls.app);
    const otherAccount = await other.sandboxAccount();
    await holder(stack.urls.app, (await newToken(other)).token).api.task.create.mutate({ accountId: otherAccount.id, title: 't', content: 'c', scheduledAt: later(1) });
  });
});

describe('cross-site requests and tokens', () => {
  it('a Bearer request carries no ambient credential, so it needs no Origin; a cookie with a hostile Origin is still refused', async () => {
    const frank = await User.register(stack.urls.app);
    const account = await frank.sandboxAccount();
    const { token } = await newToken(frank);
    const fromScript = new Recording(stack.urls.app, token, 'https://evil.example');
    const created = await postTrpc(fromScript, 'task.create', { accountId: account.id, title: '脚本', content: '正文', scheduledAt: later(1) });
    expect(created.status).toBe(200);

    const forged = new User(stack.urls.app, 'https://evil.example');
    forged.cookie = frank.cookie;
    const refused = await postTrpc(forged, 'task.create', { accountId: account.id, title: 'forged', content: 'forged' });
    expect(refused).toMatchObject({ status: 403, error: { appCode: 'CROSS_SITE' } });
  });

  it('a request with an Authorization header is judged by it alone: a cookie beside a bad token does not sign it in', async () => {
    const grace = await User.register(stack.urls.app);
    const account = await grace.sandboxAccount();
    for (const header of ['Bearer zpub_not-a-real-token', `Bearer zpub_${'A'.repeat(43)}`, 'Basic dXNlcjpwYXNz']) {
      const mixed = new User(stack.urls.app, 'https://evil.example');
      mixed.cookie = grace.cookie;
      const res = await postTrpc(mixed, 'task.create', { accountId: account.id, title: 'mixed', content: 'mixed' }, { Authorization: header });
      expect(res.status, header).toBe(401);
      expect(res.error, header).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'TOKEN_REFUSED' });
      expect(res.text, header).not.toContain(header.split(' ')[1]);
    }
    expect((await grace.api.task.list.query({})).total).toBe(0);
  });
});

describe('where a token never appears', () => {
  it('went through the whole path (the search below looks at real traffic)', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    expect(answers.length).toBeGreaterThan(30);
  });

  const needles = () => secrets.flatMap((s) => [s, s.slice(5), Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')]);
  const leaks = (where: string, text: string) => needles().filter((n) => text.includes(n)).map((n) => `${where} contains ${n.slice(0, 12)}…`);

  it('in no log line of any process (at debug level)', () => {
    const logs = stackLogs(stack);
    expect(logs.map((l) => l.file)).toEqual(expect.arrayContaining(['server.log', 'server-2.log']));
    expect(logs.find((l) => l.file === 'server.log')?.text).toContain('API token created');
    expect(logs.flatMap((l) => leaks(l.file, l.text))).toEqual([]);
  });

  it('in no answer after its creation, and no error', () => {
    expect(answers.flatMap((a, i) => leaks(`answer ${i}`, a))).toEqual([]);
  });

  it('in no Redis key or value, and nowhere in MongoDB', async () => {
    const redis = await dumpRedis(stack.urls.redis);
    expect(redis.flatMap((k) => [...leaks(`key ${k.key}`, k.key), ...leaks(`value of ${k.key}`, k.text)])).toEqual([]);
    const db = await stack.db();
    for (const c of await db.listCollections()) {
      const docs = await db.collection(c.name).find({}).toArray();
      expect(leaks(`collection ${c.name}`, JSON.stringify(docs))).toEqual([]);
    }
  });
});
