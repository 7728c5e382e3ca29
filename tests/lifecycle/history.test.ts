/**
 * Tasks long ended (issue 12): servers hold only live tasks, lists and statistics come from the
 * indexes the state scripts keep in Redis, and the rows of tasks that left Redis (TASK_ROW_TTL_S,
 * three seconds here) come from MongoDB by `_id`. Over such tasks: every sort and filter, counts
 * and statistics agree with what was created; the bulk path of the scale benchmark leaves the same
 * documents and indexes as the API; a removal takes a task out of every index; a server starts on
 * a large history without reading it; and indexes Redis lost are rebuilt while lists say so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_STATUSES, compareTasks, type ListTasksInput, type TaskEvent, type TaskStatus } from '@zpub/shared';
import { createLogger, createRedis, redisKeys, TaskStates, type RedisClient, type StoredTask } from '@zpub/shared/node';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyDocs, seedHistory, type EndedStatus, type HistoryTask } from '../bench/scale';
import { User, type Recorder } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';
import { isTerminal } from '../support/tasks';

const TTL_S = 3;
let stack: TestStack;
let redis: RedisClient;
const pauseDir = mkdtempSync(join(tmpdir(), 'zpub-pause-'));

beforeAll(async () => {
  stack = await bootStack({
    workers: 1,
    env: { TASK_ROW_TTL_S: String(TTL_S) },
    serverEnv: { USER_MAX_RUNNING: '4', RECONCILE_INTERVAL_MS: '2000', TEST_PAUSE_DIR: pauseDir },
  });
  redis = createRedis(stack.urls.redis, createLogger('test', 'silent'), 'test');
  await redis.connect();
});
afterAll(async () => {
  await redis?.quit().catch(() => undefined);
  await stack?.stop();
  rmSync(pauseDir, { recursive: true, force: true });
});

const keys = () => redisKeys(stack.prefix);

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.urls.app}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))) n += Number(m[1]);
  return n;
}

async function logHas(text: string): Promise<boolean> {
  return (await readFile(stack.server.logFile, 'utf8')).includes(text);
}

/** A task as the user created it and as its events left it: what every list must agree with. */
interface Made {
  id: string;
  title: string;
  accountId: string;
  batchId: string | undefined;
  status: TaskStatus;
  createdAt: string;
  updatedAt: string;
}

function made(rec: Recorder, ids: string[]): Made[] {
  return ids.map((id) => {
    const events = rec.of(id);
    const created = events.find((e) => e.v === 0 && e.task);
    const last = events.at(-1);
    if (!created?.task || !last) throw new Error(`no events of ${id}`);
    return { id, title: created.task.title, accountId: created.task.accountId, batchId: created.task.batchId, status: last.status, createdAt: created.task.createdAt, updatedAt: last.at };
  });
}

function expected(all: Made[], input: ListTasksInput): string[] {
  const statuses = input.status === undefined ? null : Array.isArray(input.status) ? input.status : [input.status];
  const view = (m: Made) => ({ ...m, platform: 'sandbox' as const, topics: [], priority: 'normal' as const, progress: 0, stage: 'created' as const, attempt: 0, v: 0 });
  return all
    .filter((m) => !statuses || statuses.includes(m.status))
    .filter((m) => !input.batchId || m.batchId === input.batchId)
    .filter((m) => !input.accountId || m.accountId === input.accountId)
    .filter((m) => !input.createdFrom || m.createdAt >= new Date(input.createdFrom).toISOString())
    .filter((m) => !input.createdTo || m.createdAt <= new Date(input.createdTo).toISOString())
    .map(view)
    .sort(compareTasks(input.sort ?? 'createdAt', input.order ?? 'desc'))
    .map((m) => m.id);
}

async function walk(user: User, input: ListTasksInput): Promise<{ ids: string[]; totals: Set<number> }> {
  const ids: string[] = [];
  const totals = new Set<number>();
  let cursor: string | undefined;
  do {
    const page = await user.api.task.list.query({ ...input, limit: 2, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((r) => r.id));
    totals.add(page.total);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, totals };
}

/** Every index key of these accounts, batches and user, with its contents. */
async function indexOf(prefix: string, userId: string, accounts: string[], batches: string[], liveIds: string[]): Promise<Record<string, unknown>> {
  const k = redisKeys(prefix);
  const out: Record<string, unknown> = {};
  const zsets = [...accounts.flatMap((a) => TASK_STATUSES.flatMap((s) => (['c', 'u', 't'] as const).map((kind) => k.ix.byAccount(a, kind, s)))), ...batches.map((b) => k.ix.batch(b)), k.stats.hours(userId)];
  for (const key of zsets) out[key.slice(prefix.length)] = await redis.zRangeWithScores(key, 0, -1);
  out[':ua'] = (await redis.sMembers(k.ix.userAccounts(userId))).sort();
  for (const { value } of await redis.zRangeWithScores(k.stats.hours(userId), 0, -1)) out[`:h:${value}`] = await redis.hGetAll(k.stats.hour(userId, Number(value)));
  const live = new Set(await redis.sMembers(k.live));
  out[':live'] = liveIds.filter((id) => live.has(id));
  return out;
}

describe('tasks long ended', () => {
  it('are listed, sorted, filtered, counted and summed as they were created, from the same indexes the bulk path leaves, and leave them when removed', async () => {
    const since = new Date().toISOString();
    const user = await User.register(stack.urls.app);
    const one = await user.sandboxAccount();
    const two = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'phone-binding', times: 2, author: one.name });
    const rec = user.record();
    await rec.started;
    const batch = await user.api.task.createBatch.mutate({
      accountId: one.id,
      articles: ['乙', 'a 标题', '甲', 'A 标题', '😀 表情', '乙'].map((title, i) => ({ title, content: `正文 ${i}` })),
    });
    const cancelled = await user.api.task.create.mutate({ accountId: two.id, title: '取消的', content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
    await user.api.task.cancel.mutate({ id: cancelled.taskId });
    const single = await user.api.task.create.mutate({ accountId: two.id, title: 'z 单篇', content: 'x' });
    const waiting = await user.api.task.create.mutate({ accountId: two.id, title: '等待中', content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
    const ended = [...batch.created.map((c) => c.taskId), cancelled.taskId, single.taskId];
    const ids = [...ended, waiting.taskId];
    await rec.until((es) => ended.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, 'eight tasks to end');
    // Their rows leave Redis a few seconds after they end; from then on MongoDB has them.
    await waitFor(async () => (await Promise.all(ended.map((id) => redis.exists(keys().task(id))))).every((n) => n === 0), 'the ended rows to leave Redis', 30_000);
    rec.stop();
    const all = made(rec, ids);
    expect(all.filter((m) => m.status === 'failed')).toHaveLength(2);
    expect(all.filter((m) => m.status === 'success')).toHaveLength(5);

    const readBefore = await metric('zpub_task_documents_read_total');
    const mid = [...all].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))[3]?.createdAt ?? since;
    const filters: ListTasksInput[] = [
      {},
      { status: 'success' },
      { status: ['failed', 'cancelled', 'pending'] },
      { accountId: two.id },
      { batchId: batch.batchId ?? undefined },
      { batchId: batch.batchId ?? undefined, status: 'failed' },
      { createdFrom: mid },
      { createdTo: mid, status: ['success', 'failed'], accountId: one.id },
    ];
    for (const sort of ['createdAt', 'updatedAt', 'status', 'title'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        for (const f of filters) {
          const input = { ...f, sort, order };
          const got = await walk(user, input);
          const want = expected(all, input);
          expect(got.ids, JSON.stringify(input)).toEqual(want);
          expect([...got.totals], JSON.stringify(input)).toEqual([want.length]);
        }
      }
    }
    // The rows say what the events said, read from MongoDB (the metric counts them).
    const page = await user.api.task.list.query({ limit: 100 });
    for (const m of all) expect(page.items.find((r) => r.id === m.id)).toMatchObject({ status: m.status, title: m.title, createdAt: m.createdAt, updatedAt: m.updatedAt });
    expect(page.items.find((r) => r.status === 'failed')?.error?.code).toBe('PHONE_BINDING_REQUIRED');
    expect(page.items.find((r) => r.status === 'success')?.result?.url).toContain('/p/');
    expect(await metric('zpub_task_documents_read_total')).toBeGreaterThan(readBefore);

    const stats = await user.api.stats.summary.query({ since });
    expect(stats.total).toBe(9);
    expect(stats.byStatus).toMatchObject({ success: 5, failed: 2, cancelled: 1, pending: 1, running: 0, queued: 0, unconfirmed: 0 });
    expect(stats.successRate).toBeCloseTo(5 / 7);
    expect(stats.failuresByCode).toEqual([{ code: 'PHONE_BINDING_REQUIRED', count: 2 }]);
    expect(stats.durationMs.count).toBe(5);
    expect(stats.perHour.reduce((n, h) => n + h.created, 0)).toBe(9);
    expect(stats.perHour.reduce((n, h) => n + h.success, 0)).toBe(5);
    expect(stats.perHour.reduce((n, h) => n + h.failed, 0)).toBe(2);

    // The bulk path: the documents it writes for these tasks are the API's ...
    const db = await stack.db();
    const me = await user.api.auth.me.query();
    if (!me) throw new Error('not signed in');
    const apiDocs = await Promise.all(ended.map((id) => db.collection('tasks').findOne({ _id: new Types.ObjectId(id) })));
    const bulk = await Promise.all(
      ended.map(async (id, i) => {
        const doc = apiDocs[i];
        const timeline = await db.collection('task_timelines').findOne({ _id: new Types.ObjectId(id) });
        if (!doc || !timeline) throw new Error(`no documents of ${id}`);
        const events = timeline.events as { stage: string; at: string; v: number }[];
        const at = (stage: string) => Date.parse(events.find((e) => e.stage === stage)?.at ?? '');
        const result = doc.result as { url: string; articleId: string } | undefined;
        const task: HistoryTask = {
          id: doc._id,
          userId: doc.userId,
          accountId: doc.accountId,
          title: doc.title,
          content: (await db.collection('task_contents').findOne({ _id: doc._id }))?.content,
          batchId: doc.batchId ?? undefined,
          scheduledAt: doc.scheduledAt ? Date.parse(doc.scheduledAt.toISOString()) : undefined,
          status: doc.status as EndedStatus,
          workerId: 'worker-1',
          origin: stack.urls.sandbox,
          // A plain creation is not in the timeline (the projector leaves it out); the document has its time.
          at: { created: Date.parse(doc.createdAt.toISOString()), queued: at('queued'), started: at('browser'), login: at('login'), editor: at('editor'), submitted: at('submitted'), redirected: at('redirected'), finished: Date.parse(doc.finishedAt.toISOString()) },
          error: doc.error,
          articleId: result?.articleId,
        };
        return { api: doc, timeline, claim: await db.collection('task_claims').findOne({ _id: `${id}:1` as unknown as Types.ObjectId }), docs: historyDocs(task) };
      }),
    );
    // An absent field and a null one read the same; event ids are positions in the stream (the
    // bulk path takes them from the times), so the last one is left out.
    const plain = (d: Record<string, unknown> | null) => JSON.parse(JSON.stringify(d, (k, v: unknown) => (v === null || k === 'lastEventId' ? undefined : v))) as unknown;
    for (const b of bulk) {
      // Evidence: the worker's own screenshot and page; the bulk path keeps the shape.
      const { evidence: apiEvidence, ...apiRest } = b.api;
      const { evidence: bulkEvidence, ...bulkRest } = b.docs.task;
      expect(plain(bulkRest)).toEqual(plain(apiRest));
      expect(Object.keys(bulkEvidence ?? {}).sort()).toEqual(Object.keys(apiEvidence ?? {}).sort());
      const shape = (events: unknown) => (events as Record<string, unknown>[]).map((e) => ({ v: e.v, attempt: e.attempt, status: e.status, progress: e.progress, stage: e.stage, error: e.error, result: e.result, at: e.at }));
      expect(shape(b.docs.timeline.events)).toEqual(shape(b.timeline.events));
      expect(b.docs.claim === null ? null : Object.keys(b.docs.claim).sort()).toEqual(b.claim === null ? null : Object.keys(b.claim).sort());
    }
    // ... and indexing them leaves in Redis exactly the indexes and counts the API's changes did.
    const other = `${stack.prefix}-bulk`;
    const waitingDoc = await db.collection('tasks').findOne({ _id: new Types.ObjectId(waiting.taskId) });
    await new TaskStates(redis, redisKeys(other), { terminalTtlS: TTL_S }).index(
      [...bulk.map((b) => b.docs.task), waitingDoc].map((d) => d as unknown as StoredTask),
      0,
    );
    const accounts = [one.id, two.id];
    const batches = [batch.batchId ?? ''];
    expect(await indexOf(other, me.id, accounts, batches, ids)).toEqual(await indexOf(stack.prefix, me.id, accounts, batches, ids));

    // A removal takes a long-ended task out of every index and count.
    const failed = all.find((m) => m.status === 'failed');
    if (!failed) throw new Error('no failed task');
    expect(await user.api.task.remove.mutate({ id: failed.id })).toEqual({ removed: true });
    const left = await indexOf(stack.prefix, me.id, accounts, batches, ids);
    expect(JSON.stringify(left)).not.toContain(failed.id);
    const after = await user.api.task.list.query({ limit: 100 });
    expect(after.total).toBe(8);
    expect(after.items.map((r) => r.id)).not.toContain(failed.id);
    expect((await user.api.task.list.query({ batchId: batch.batchId ?? undefined })).total).toBe(5);
    const statsAfter = await user.api.stats.summary.query({ since });
    expect(statsAfter.byStatus.failed).toBe(1);
    expect(statsAfter.failuresByCode).toEqual([{ code: 'PHONE_BINDING_REQUIRED', count: 1 }]);
    expect(statsAfter.perHour.reduce((n, h) => n + h.created, 0)).toBe(8);
  });

  it('starts a server on a history it does not read: ready with the live tasks only, rows read by id when a page shows them', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const me = await user.api.auth.me.query();
    if (!me) throw new Error('not signed in');
    const db = await stack.db();
    const states = new TaskStates(redis, keys(), { terminalTtlS: TTL_S });
    const count = 3000;
    const start = Date.now() - 2 * 24 * 3600_000;
    const tasks = Array.from({ length: count }, (_, i): HistoryTask => {
      const created = start + i * 20_000;
      const status: EndedStatus = i % 10 === 0 ? 'failed' : 'success';
      return {
        id: new Types.ObjectId(),
        userId: new Types.ObjectId(me.id),
        accountId: new Types.ObjectId(account.id),
        title: `历史 ${i}`,
        content: `正文 ${i}`,
        status,
        workerId: 'worker-1',
        origin: stack.urls.sandbox,
        at: { created, queued: created + 100, started: created + 200, login: created + 2000, editor: created + 5000, submitted: created + 5050, redirected: created + 6000, finished: created + 7000 },
        error: status === 'failed' ? { code: 'RISK_CONTROL', message: 'risk', retryable: true } : undefined,
        articleId: status === 'success' ? String(1e18 + i) : undefined,
      };
    });
    for (let i = 0; i < count; i += 1000) await seedHistory(db, states, tasks.slice(i, i + 1000).map(historyDocs));
    const { taskId: live } = await user.api.task.create.mutate({ accountId: account.id, title: '待发布', content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });

    await stack.server.stop({ graceMs: 5000 });
    await stack.server.restart();
    // Ready, and not one task document read: the live tasks came from Redis.
    expect(await metric('zpub_task_documents_read_total')).toBe(0);
    expect(await logHas('live tasks loaded')).toBe(true);
    expect(await metric('zpub_live_tasks')).toBeGreaterThanOrEqual(1);
    const first = await user.api.task.list.query({ limit: 50 });
    expect(first.total).toBe(count + 1);
    expect(first.items[0]?.id).toBe(live);
    const deep = await user.api.task.list.query({ limit: 50, status: 'success', sort: 'createdAt', order: 'asc', cursor: undefined });
    expect(deep.items[0]?.title).toBe('历史 1');
    // Rows of ended tasks past the ttl are read one by one, by id: 49 + 50 of them, not 3,000.
    expect(await metric('zpub_task_documents_read_total')).toBe(99);
    const stats = await user.api.stats.summary.query({ since: new Date(start - 3600_000).toISOString() });
    expect(stats).toMatchObject({ total: count + 1, byStatus: { success: count - count / 10, failed: count / 10, pending: 1 } });
    expect(stats.failuresByCode).toEqual([{ code: 'RISK_CONTROL', count: count / 10 }]);
  });

  it('rebuilds the indexes from MongoDB when Redis lost everything, saying so meanwhile, and brings live tasks back', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const batch = await user.api.task.createBatch.mutate({ accountId: account.id, articles: [0, 1, 2].map((i) => ({ title: `重建 ${i}`, content: 'x' })) });
    const done = batch.created.map((c) => c.taskId);
    await rec.until((es) => done.every((id) => es.some((e) => e.taskId === id && e.status === 'success')), 120_000, 'three tasks to succeed');
    const due = new Date(Date.now() + 20_000).toISOString();
    const { taskId: later } = await user.api.task.create.mutate({ accountId: account.id, title: '重建后发布', content: 'x', scheduledAt: due });
    // The projection has caught up with all of it.
    const db = await stack.db();
    await waitFor(async () => (await db.collection('tasks').findOne({ _id: new Types.ObjectId(done[2]) }))?.status === 'success', 'the projection', 30_000);
    rec.stop();
    const before = await walk(user, { sort: 'title', order: 'asc' });
    expect(before.ids).toHaveLength(4);

    // Redis comes back empty (no AOF), and the rebuild holds before indexing anything.
    await writeFile(join(pauseDir, 'index-rebuild'), '');
    const r = stack.redis;
    if (!r) throw new Error('no redis');
    await r.kill('SIGKILL');
    await rm(join(r.dir, 'appendonlydir'), { recursive: true, force: true });
    await rm(join(r.dir, 'dump.rdb'), { force: true });
    await r.restart();
    await waitFor(() => logHas('"point":"index-rebuild"'), 'the rebuild to start', 60_000);
    // Nothing says the tasks are gone: the list says it is being rebuilt.
    const during = await user.api.task.list.query({ limit: 100 });
    expect(during.rebuilding).toBe(true);
    expect(during.items.filter((t) => done.includes(t.id))).toEqual([]);
    expect((await user.api.stats.summary.query({})).rebuilding).toBe(true);
    expect(await metric('zpub_task_index_rebuilding')).toBe(1);
    // Work goes on: a task created now is listed at once.
    const rec2 = user.record();
    await rec2.started;
    const { taskId: fresh } = await user.api.task.create.mutate({ accountId: account.id, title: '重建中创建', content: 'x' });
    expect((await user.api.task.list.query({ limit: 100 })).items.map((t) => t.id)).toContain(fresh);

    await rm(join(pauseDir, 'index-rebuild'));
    await waitFor(async () => (await user.api.task.list.query({ limit: 1 })).rebuilding === undefined, 'the rebuild to end', 120_000);
    expect(await logHas('task indexes rebuilt from MongoDB')).toBe(true);
    expect(await metric('zpub_task_index_rebuilds_total')).toBeGreaterThanOrEqual(1);
    const after = await walk(user, { sort: 'title', order: 'asc' });
    expect(after.ids.filter((id) => id !== fresh)).toEqual(before.ids);
    expect(after.totals).toEqual(new Set([5]));
    // The scheduled task Redis had lost is live again: it runs when it is due.
    await rec2.until((es) => [later, fresh].every((id) => es.some((e: TaskEvent) => e.taskId === id && e.status === 'success')), 180_000, 'the restored and the new task to publish');
    rec2.stop();
    const statsAfter = await user.api.stats.summary.query({});
    expect(statsAfter).toMatchObject({ total: 5, byStatus: { success: 5, pending: 0 } });
    expect(statsAfter.rebuilding).toBeUndefined();
    const titles = (await stack.sandboxApi.articles(account.name)).map((a) => a.title).sort();
    expect(titles).toEqual(['重建 0', '重建 1', '重建 2', '重建中创建', '重建后发布'].sort());
  });
});
