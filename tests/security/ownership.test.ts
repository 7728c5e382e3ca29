/**
 * Authorization: user B knows every id of user A (tasks, account, batch, events) and tries them
 * on every procedure. Each answer is NOT_FOUND or empty, never A's data, and A's work is untouched.
 */
import type { TaskEvent } from '@zpub/shared';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenHolder, User, expectRefusal, type Recorder } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { getTrpc, postTrpc, procedures } from './helpers';

let stack: TestStack;

const TERMINAL = ['success', 'failed', 'cancelled', 'unconfirmed'];
const DAY = 24 * 3600 * 1000;
const later = (days: number) => new Date(Date.now() + days * DAY).toISOString();

interface Victim {
  user: User;
  accountId: string;
  /** A's personal API token: its id, and the secret A's programs use. */
  tokenId: string;
  token: string;
  okTaskId: string;
  failedTaskId: string;
  scheduledTaskId: string;
  batchId: string;
  batchTaskIds: string[];
  events: TaskEvent[];
  /** The stored account as it was before B tried anything. */
  accountDoc: unknown;
}

let a: Victim;
let b: User;
let bAccountId: string;
/** B's subscriptions while A worked: live, and resumed from ids out of A's stream. */
let bLive: Recorder;

beforeAll(async () => {
  // No automatic retries: a failure ends at once, with its evidence.
  stack = await bootStack({ workers: 1, serverEnv: { AUTO_RETRIES: '0' } });

  b = await User.register(stack.urls.app);
  bAccountId = (await b.sandboxAccount()).id;
  bLive = b.record();
  await bLive.started;

  const user = await User.register(stack.urls.app);
  const account = await user.sandboxAccount();
  const rec = user.record();
  await rec.started;
  const ok = await user.api.task.create.mutate({ accountId: account.id, title: 'A 的文章', content: '只属于 A 的正文' });
  await rec.until((es) => es.some((e) => e.taskId === ok.taskId && TERMINAL.includes(e.status)), 120_000, "A's first task to end");
  await stack.sandboxApi.fault({ kind: 'toast-error', author: account.name });
  const failed = await user.api.task.create.mutate({ accountId: account.id, title: 'A 的失败', content: '会失败' });
  await rec.until((es) => es.some((e) => e.taskId === failed.taskId && TERMINAL.includes(e.status)), 120_000, "A's failing task to end");
  const scheduled = await user.api.task.create.mutate({ accountId: account.id, title: 'A 的定时', content: '明天', scheduledAt: later(1) });
  const batch = await user.api.task.createBatch.mutate({
    accountId: account.id,
    articles: [
      { title: 'A 批量 1', content: '一', scheduledAt: later(2) },
      { title: 'A 批量 2', content: '二', scheduledAt: later(2) },
    ],
  });
  await rec.until((es) => es.filter((e) => e.stage === 'scheduled').length >= 3, 30_000, "A's scheduled tasks");
  rec.stop();
  if (!batch.batchId) throw new Error('the batch was not created');
  const token = await user.api.token.create.mutate({ name: 'A 的命令行', password: 'correct horse battery' });
  a = {
    user,
    accountId: account.id,
    tokenId: token.id,
    token: token.token,
    okTaskId: ok.taskId,
    failedTaskId: failed.taskId,
    scheduledTaskId: scheduled.taskId,
    batchId: batch.batchId,
    batchTaskIds: batch.created.map((c) => c.taskId),
    events: rec.events,
    accountDoc: await storedAccount(account.id),
  };
  expect(rec.of(ok.taskId).at(-1)?.status).toBe('success');
  expect(rec.of(failed.taskId).at(-1)?.status).toBe('failed');
});

/** What B could change of an account: its owner, its name, its sealed cookies. */
async function storedAccount(id: string): Promise<unknown> {
  const doc = await (await stack.db()).collection('accounts').findOne({ _id: new Types.ObjectId(id) });
  return doc ? { userId: String(doc['userId']), name: doc['name'], cookiesSealed: doc['cookiesSealed'] } : null;
}

afterAll(async () => {
  bLive?.stop();
  await stack?.stop();
});

/** Every id of A that B could have learnt (a leaked URL, a guess, a log line). */
function aIds(): string[] {
  return [a.okTaskId, a.failedTaskId, a.scheduledTaskId, ...a.batchTaskIds, a.accountId, a.batchId, a.tokenId];
}

function aTaskIds(): string[] {
  return [a.okTaskId, a.failedTaskId, a.scheduledTaskId, ...a.batchTaskIds];
}

/**
 * How B attacks each procedure. A new procedure must be added here, so nobody adds one that
 * touches user data without saying how it stays the owner's own.
 */
const ATTACKS: Record<string, ((id: string) => Promise<void>) | 'no user data' | 'own session only' | 'see below'> = {
  'auth.register': 'own session only',
  'auth.login': 'own session only',
  'auth.logout': 'own session only',
  'auth.me': 'own session only',
  'auth.changePassword': 'own session only',
  'account.list': 'see below',
  'account.create': 'own session only',
  'account.remove': async (id) => {
    expect(await expectRefusal(b.api.account.remove.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND', message: 'No such account' });
  },
  // Raw calls: these two arrive with the account checks and may still change shape.
  'account.updateCookies': async (id) => {
    const res = await postTrpc(b, 'account.updateCookies', { id, cookies: 'z_c0=sandbox-intruder' });
    expect(res.error).toMatchObject({ code: 'NOT_FOUND' });
  },
  'account.verify': async (id) => {
    const res = await postTrpc(b, 'account.verify', { id });
    expect(res.error).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.create': async (id) => {
    expect(await expectRefusal(b.api.task.create.mutate({ accountId: id, title: 't', content: 'c' }))).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.createBatch': async (id) => {
    expect(await expectRefusal(b.api.task.createBatch.mutate({ accountId: id, articles: [{ title: 't', content: 'c' }] }))).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.byId': async (id) => {
    expect(await expectRefusal(b.api.task.byId.query({ id }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  },
  // Raw: added with the virtual task list; ids that are not the caller's are left out.
  'task.byIds': async (id) => {
    const res = await getTrpc(b, 'task.byIds', { ids: [id] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: { data: [] } });
  },
  'task.list': async (id) => {
    for (const filter of [{ batchId: id }, { accountId: id }]) {
      const page = await b.api.task.list.query(filter);
      expect(page).toMatchObject({ items: [], total: 0 });
    }
  },
  'task.cancel': async (id) => {
    expect(await expectRefusal(b.api.task.cancel.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.retry': async (id) => {
    expect(await expectRefusal(b.api.task.retry.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.cancelMany': async (id) => {
    const res = await b.api.task.cancelMany.mutate({ ids: [id] });
    expect(res).toEqual({ changed: [], skipped: [{ id, reason: 'No such task', code: 'NOT_FOUND' }] });
  },
  'task.retryMany': async (id) => {
    const res = await b.api.task.retryMany.mutate({ ids: [id] });
    expect(res).toEqual({ changed: [], skipped: [{ id, reason: 'No such task', code: 'NOT_FOUND' }] });
  },
  'task.remove': async (id) => {
    expect(await expectRefusal(b.api.task.remove.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND' });
  },
  'task.removeMany': async (id) => {
    const res = await b.api.task.removeMany.mutate({ ids: [id] });
    expect(res).toEqual({ changed: [], skipped: [{ id, reason: 'No such task', code: 'NOT_FOUND' }] });
  },
  'task.reschedule': async (id) => {
    for (const scheduledAt of [later(3), null]) {
      expect(await expectRefusal(b.api.task.reschedule.mutate({ id, scheduledAt }))).toMatchObject({ code: 'NOT_FOUND' });
    }
  },
  'task.onUpdate': 'see below',
  'stats.summary': 'see below',
  // Live workers: host, slots, heartbeats. The same for everyone.
  'worker.list': 'no user data',
  'token.create': 'own session only',
  'token.list': 'see below',
  'token.revoke': async (id) => {
    expect(await expectRefusal(b.api.token.revoke.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND', message: 'No such token' });
  },
};

describe("user B and user A's ids", () => {
  it('every procedure of the API is covered here', () => {
    const paths = procedures().map((p) => p.path);
    const missing = paths.filter((p) => !(p in ATTACKS));
    expect(missing, 'procedures nobody checked for ownership').toEqual([]);
  });

  it('B gets NOT_FOUND (never FORBIDDEN) for each of A\'s ids on every procedure that takes one', async () => {
    const live = new Set(procedures().map((p) => p.path));
    const tried: string[] = [];
    for (const [path, attack] of Object.entries(ATTACKS)) {
      if (typeof attack !== 'function' || !live.has(path)) continue;
      for (const id of aIds()) await attack(id);
      tried.push(path);
    }
    expect(tried.length).toBeGreaterThanOrEqual(10);
  });

  it("B's lists and statistics hold nothing of A's, and B's own work still shows", async () => {
    const mine = await b.api.task.create.mutate({ accountId: bAccountId, title: 'B 的文章', content: 'B', scheduledAt: later(1) });
    const list = await b.api.task.list.query({ limit: 100 });
    expect(list.items.map((t) => t.id)).toEqual([mine.taskId]);
    expect(list.total).toBe(1);
    // A cursor from A's own listing pages through B's tasks only.
    const aPage = await a.user.api.task.list.query({ limit: 1 });
    expect(aPage.nextCursor).toBeTruthy();
    const viaCursor = await b.api.task.list.query({ limit: 100, cursor: aPage.nextCursor ?? undefined });
    expect(viaCursor.items.every((t) => t.id === mine.taskId)).toBe(true);

    const accounts = await b.api.account.list.query();
    expect(accounts.map((x) => x.id)).toEqual([bAccountId]);
    expect(await b.api.token.list.query()).toEqual([]);

    const stats = await b.api.stats.summary.query();
    expect(stats.total).toBe(1);
    expect(stats.byStatus.success).toBe(0);
    expect(stats.failuresByCode).toEqual([]);
    const aStats = await a.user.api.stats.summary.query();
    expect(aStats.total).toBe(5);
    expect(aStats.byStatus).toMatchObject({ success: 1, failed: 1, pending: 3 });
  });

  it("A's work is untouched after B's attempts", async () => {
    const detail = await a.user.api.task.byId.query({ id: a.scheduledTaskId });
    expect(detail.status).toBe('pending');
    expect(detail.stage).toBe('scheduled');
    expect((await a.user.api.task.byId.query({ id: a.failedTaskId })).status).toBe('failed');
    expect((await a.user.api.task.byId.query({ id: a.okTaskId })).status).toBe('success');
    const list = await a.user.api.task.list.query({ batchId: a.batchId });
    expect(list.items.map((t) => t.status)).toEqual(['pending', 'pending']);
    expect((await a.user.api.account.list.query()).map((x) => x.id)).toEqual([a.accountId]);
    if (procedures().some((p) => p.path === 'task.byIds')) {
      // The owner does get them by the same call B made.
      const own = await getTrpc(a.user, 'task.byIds', { ids: aTaskIds() });
      expect((own.json as { result: { data: unknown[] } }).result.data).toHaveLength(aTaskIds().length);
    }
    // A's token survived B's revoke attempts, and still works for A only.
    expect((await a.user.api.token.list.query()).map((x) => x.id)).toEqual([a.tokenId]);
    expect((await new TokenHolder(stack.urls.app, a.token).api.task.byId.query({ id: a.okTaskId })).status).toBe('success');
    // Same owner, name and sealed cookies: nobody re-pasted or removed it.
    expect(a.accountDoc).not.toBeNull();
    expect(await storedAccount(a.accountId)).toEqual(a.accountDoc);
  });

  it("B cannot fetch the screenshot of A's failed task", async () => {
    const detail = await a.user.api.task.byId.query({ id: a.failedTaskId });
    expect(detail.evidence?.screenshot).toBe(true);
    const url = `${stack.urls.app}/api/evidence/${a.failedTaskId}`;
    const own = await a.user.fetch(url);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/jpeg');
    expect((await own.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    const theirs = await b.fetch(url);
    expect(theirs.status).toBe(404);
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(404);
    // The body does not say whether the task exists.
    const nothing = await b.fetch(`${stack.urls.app}/api/evidence/${new Types.ObjectId().toString()}`);
    expect(await theirs.text()).toBe(await nothing.text());
  });
});

describe("user B and user A's events", () => {
  it('never delivers an event of A, live or on resume from any id taken from A\'s stream', async () => {
    const firstOfA = a.events[0]?.id;
    const lastOfA = a.events.at(-1)?.id;
    if (!firstOfA || !lastOfA) throw new Error('A has no events');
    // Resumes from ids B has no business with, and from ones before everything.
    const forged = [firstOfA, lastOfA, '0000000000000-000000', 'not-an-event-id', a.okTaskId].map((id) => b.record(id));
    await Promise.all(forged.map((r) => r.started));

    // A works on while B listens; B does something too, so B's streams provably deliver.
    const aRec = a.user.record();
    await aRec.started;
    await a.user.api.task.reschedule.mutate({ id: a.scheduledTaskId, scheduledAt: later(4) });
    const mine = await b.api.task.create.mutate({ accountId: bAccountId, title: 'B 的第二篇', content: 'B', scheduledAt: later(1) });
    await aRec.until((es) => es.some((e) => e.taskId === a.scheduledTaskId), 30_000, "A's reschedule event");
    for (const r of [bLive, ...forged]) await r.until((es) => es.some((e) => e.taskId === mine.taskId), 30_000, "B's own event");
    aRec.stop();
    for (const r of forged) r.stop();

    const bId = (await b.api.auth.me.query())?.id;
    const aTasks = new Set(aTaskIds());
    const aEventIds = new Set([...a.events, ...aRec.events].map((e) => e.id));
    for (const r of [bLive, ...forged]) {
      expect(r.events.length).toBeGreaterThan(0);
      expect(r.events.filter((e) => aTasks.has(e.taskId) || aEventIds.has(e.id) || e.userId !== bId)).toEqual([]);
    }
    // And A did get them: the stream was busy with A's events while B listened.
    expect(aRec.events.length).toBeGreaterThan(0);
  });
});
