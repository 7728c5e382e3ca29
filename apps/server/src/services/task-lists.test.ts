/**
 * Every sort and filter of `task.list` against the same list computed the obvious way (all rows,
 * filtered and sorted in memory with the order the SPA uses), paged to the end with a small limit:
 * same rows, same order, no gap and no repeat, the same total. Real redis-server; the tasks are
 * made by the state scripts, so their rows are in Redis (MongoDB rows are covered in tests/).
 */
import { startRedis, tempDir, type RedisHandle, type TempDir } from '@zpub/devstack';
import { TASK_STATUSES, compareTasks, taskError, type ListTasksInput, type TaskStatus, type TaskView } from '@zpub/shared';
import { createLogger, createModels, createRedis, redisKeys, TaskStates, type RedisClient } from '@zpub/shared/node';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskLists } from './task-lists';
import { TaskRows } from './task-rows';

let dir: TempDir;
let server: RedisHandle;
let redis: RedisClient;
const keys = redisKeys(`lists${Date.now()}`);
const oid = (n: number) => n.toString(16).padStart(24, '0');
const USER = oid(1);
const OTHER = oid(2);
const ACCOUNTS = [oid(11), oid(12)];
const BATCH = oid(31);
const T0 = Date.UTC(2026, 10, 1);
const all: TaskView[] = [];

beforeAll(async () => {
  dir = await tempDir('zpub-redis-');
  server = await startRedis({ dir: dir.path });
  redis = createRedis(server.url, createLogger('test', 'silent'), 'test');
  await redis.connect();
  const states = new TaskStates(redis, keys);
  const titles = ['北京', 'abc', 'Abc', 'ab', '😀 表情', '\uFF5E 波浪', 'z\u0000null', '北京'];
  for (let i = 0; i < 60; i++) {
    const id = oid(1000 + i);
    const userId = i % 10 === 9 ? OTHER : USER;
    // Some tasks share a creation time (a batch saved in one commit).
    const createdAt = new Date(T0 + Math.floor(i / 3) * 60_000).toISOString();
    const summary = { accountId: userId === OTHER ? oid(13) : (ACCOUNTS[i % 2] ?? ''), platform: 'sandbox', title: titles[i % titles.length] ?? '', topics: [], priority: 'normal', createdAt, ...(i % 4 === 0 ? { batchId: BATCH } : {}) };
    await states.create([{ taskId: id, userId, summary }]);
    const outcome = TASK_STATUSES[i % TASK_STATUSES.length] as TaskStatus;
    if (outcome === 'cancelled') await states.transition(id, { from: ['pending'], to: 'cancelled', stage: 'cancelled' });
    if (['queued', 'running', 'success', 'failed', 'unconfirmed'].includes(outcome)) {
      await states.transition(id, { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: `j${i}` } });
    }
    if (['running', 'success', 'failed', 'unconfirmed'].includes(outcome)) await states.claim(id, `j${i}`, 'w', 2, taskError('WORKER_LOST'), `t${i}`);
    if (outcome === 'success') await states.transition(id, { from: ['running'], to: 'success', attempt: 1, token: `t${i}`, stage: 'verified' });
    if (outcome === 'failed') await states.transition(id, { from: ['running'], to: 'failed', attempt: 1, token: `t${i}`, stage: 'failed', error: taskError('RISK_CONTROL') });
    if (outcome === 'unconfirmed') await states.transition(id, { from: ['running'], to: 'unconfirmed', attempt: 1, token: `t${i}`, stage: 'unconfirmed' });
  }
  const rows = new TaskRows(redis, keys, createModels(mongoose.createConnection()));
  for (const row of (await rows.get(Array.from({ length: 60 }, (_, i) => oid(1000 + i)))).values()) {
    if (row.userId === USER) all.push({ ...row, userId: undefined, lastEventId: undefined } as unknown as TaskView);
  }
  await redis.set(keys.ix.ready, '{}');
});

afterAll(async () => {
  await redis.quit();
  await server.stop();
  await dir.cleanup();
});

function lists(scanMax?: number): TaskLists {
  // Every row is in Redis here: the models are never asked (no MongoDB is running).
  return new TaskLists(redis, keys, new TaskRows(redis, keys, createModels(mongoose.createConnection())), scanMax);
}

function expected(input: ListTasksInput): TaskView[] {
  const statuses = input.status === undefined ? null : Array.isArray(input.status) ? input.status : [input.status];
  return all
    .filter((r) => !statuses || statuses.includes(r.status))
    .filter((r) => !input.batchId || r.batchId === input.batchId)
    .filter((r) => !input.accountId || r.accountId === input.accountId)
    .filter((r) => !input.createdFrom || Date.parse(r.createdAt) >= Date.parse(input.createdFrom))
    .filter((r) => !input.createdTo || Date.parse(r.createdAt) <= Date.parse(input.createdTo))
    .sort(compareTasks(input.sort ?? 'createdAt', input.order ?? 'desc'));
}

async function walk(l: TaskLists, input: ListTasksInput): Promise<{ ids: string[]; totals: number[]; pages: number }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await l.list(USER, { ...input, limit: 4, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((r) => r.id));
    totals.push(page.total);
    cursor = page.nextCursor ?? undefined;
    pages++;
    if (pages > 200) throw new Error('paging does not end');
  } while (cursor);
  return { ids, totals, pages };
}

const from = new Date(T0 + 4 * 60_000).toISOString();
const to = new Date(T0 + 12 * 60_000).toISOString();
const FILTERS: ListTasksInput[] = [
  {},
  { status: 'success' },
  { status: ['failed', 'pending', 'running'] },
  { accountId: ACCOUNTS[1] },
  { batchId: BATCH },
  { batchId: BATCH, status: ['pending', 'success'] },
  { createdFrom: from, createdTo: to },
  { createdFrom: from, status: ['cancelled', 'queued'], accountId: ACCOUNTS[0] },
  { accountId: oid(99) },
];

/**
 * Each paging test walks every filter page by page against a real Redis: 1.5-3.8 s in CI, beside
 * other suites. The default 5 s left too little room (one CI run timed out at 5.2 s); the
 * assertions are about order, never time.
 */
const PAGING_TIMEOUT_MS = 30_000;

describe('task.list over the Redis indexes', () => {
  for (const sort of ['createdAt', 'updatedAt', 'status', 'title'] as const) {
    for (const order of ['asc', 'desc'] as const) {
      it(`pages every filter in ${sort} ${order} order exactly as the rows sort`, async () => {
        const l = lists();
        for (const filter of FILTERS) {
          const input = { ...filter, sort, order };
          const want = expected(input);
          const got = await walk(l, input);
          expect(got.ids, JSON.stringify(input)).toEqual(want.map((r) => r.id));
          expect(new Set(got.totals), JSON.stringify(input)).toEqual(new Set([want.length]));
        }
      }, PAGING_TIMEOUT_MS);
    }
  }

  it('bounds a walk the indexes cannot narrow, and goes on where it stopped', async () => {
    const l = lists(5);
    const input = { createdFrom: from, createdTo: to, sort: 'updatedAt' as const, order: 'desc' as const };
    const got = await walk(l, input);
    expect(got.ids).toEqual(expected(input).map((r) => r.id));
    // Five entries examined per call: more calls than pages of four, some short.
    expect(got.pages).toBeGreaterThan(Math.ceil(got.ids.length / 4));
  });

  it("shows nothing of another user's, not even through the other's account", async () => {
    expect((await lists().list(OTHER, { accountId: ACCOUNTS[0] })).total).toBe(0);
    expect((await lists().list(OTHER, {})).total).toBe(6);
    expect((await lists().list(USER, {})).items.every((r) => all.some((a) => a.id === r.id))).toBe(true);
  });

  it('says so while the indexes are being rebuilt', async () => {
    await redis.del(keys.ix.ready);
    expect((await lists().list(USER, {})).rebuilding).toBe(true);
    await redis.set(keys.ix.ready, '{}');
    expect((await lists().list(USER, {})).rebuilding).toBeUndefined();
  });
});

describe('stats.summary over the hourly counts', () => {
  /** The statistics computed the obvious way, over every row created since `since`. */
  function obvious(since: number) {
    const rows = all.filter((r) => Date.parse(r.createdAt) >= since);
    const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length]));
    const hour = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;
    const perHour = new Map<string, { created: number; success: number; failed: number }>();
    const bucket = (h: string) => perHour.get(h) ?? (perHour.set(h, { created: 0, success: 0, failed: 0 }).get(h) as { created: number; success: number; failed: number });
    for (const r of rows) {
      bucket(hour(r.createdAt)).created++;
      if (r.status === 'success' && r.finishedAt) bucket(hour(r.finishedAt)).success++;
      if (r.status === 'failed' && r.finishedAt) bucket(hour(r.finishedAt)).failed++;
    }
    const failed = rows.filter((r) => r.status === 'failed').length;
    return {
      total: rows.length,
      byStatus,
      failuresByCode: failed > 0 ? [{ code: 'RISK_CONTROL', count: failed }] : [],
      perHour: [...perHour].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([h, b]) => ({ hour: h, ...b })),
      durations: rows.filter((r) => r.status === 'success' && r.startedAt).length,
    };
  }

  it('counts what was created since any moment, in a full hour or in the middle of one', async () => {
    const { Stats } = await import('./stats');
    const rowsOf = new TaskRows(redis, keys, createModels(mongoose.createConnection()));
    const stats = new Stats(redis, keys, lists(), rowsOf);
    // The tasks were created within an hour: before it, at its start, in its middle, after it.
    for (const since of [T0 - 3_600_000, T0, T0 + 7 * 60_000 + 1, T0 + 19 * 60_000, T0 + 2 * 3_600_000]) {
      const got = await stats.summary(USER, new Date(since));
      const want = obvious(since);
      expect({ total: got.total, byStatus: got.byStatus, failuresByCode: got.failuresByCode, perHour: got.perHour, durations: got.durationMs.count }, new Date(since).toISOString()).toEqual(want);
    }
  });
});
