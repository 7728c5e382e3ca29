/**
 * The list indexes, rows and counts the state scripts keep with every change, on a real
 * redis-server: what a task's life leaves behind, what a removal takes away, and that indexing the
 * documents the projection leaves (the rebuild, the bulk seed) leaves exactly the same.
 */
import { startRedis, tempDir, type RedisHandle, type TempDir } from '@zpub/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskError } from '../errors';
import type { TaskSummary } from '../events';
import { redisKeys } from './keys';
import { createLogger } from './logger';
import { createRedis, type RedisClient } from './redis';
import { rowFromHash } from './task-rows';
import { HOUR_MS, TaskStates, durationBucket, type StoredTask } from './task-state';

let dir: TempDir;
let server: RedisHandle;
let redis: RedisClient;

beforeAll(async () => {
  dir = await tempDir('zpub-redis-');
  server = await startRedis({ dir: dir.path });
  redis = createRedis(server.url, createLogger('test', 'silent'), 'test');
  await redis.connect();
});

afterAll(async () => {
  await redis.quit();
  await server.stop();
  await dir.cleanup();
});

const oid = (n: number) => n.toString(16).padStart(24, '0');

function summary(title: string, createdAt: Date, extra: Partial<TaskSummary> = {}): TaskSummary {
  return { accountId: oid(900), platform: 'sandbox', title, topics: ['t'], priority: 'normal', createdAt: createdAt.toISOString(), ...extra };
}

/** Every key under the prefix except the stream and the changed set, with its contents. */
async function dump(prefix: string, opts: { rows: boolean }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
    for (const key of batch) {
      const type = await redis.type(key);
      if (key.endsWith(':events') || key.endsWith(':changed')) continue;
      if (type === 'zset') out[key] = await redis.zRangeWithScores(key, 0, -1);
      else if (type === 'set') out[key] = (await redis.sMembers(key)).sort();
      else if (type === 'hash' && key.includes(':task:')) {
        if (opts.rows) out[key] = rowFromHash(key.split(':').at(-1) ?? '', await redis.hGetAll(key));
      } else if (type === 'hash') out[key] = await redis.hGetAll(key);
      else out[key] = type;
    }
  }
  return out;
}

describe('the task indexes', () => {
  it('follow a task through its life and let it go on removal', async () => {
    const keys = redisKeys(`ix${Date.now()}`);
    const states = new TaskStates(redis, keys);
    const created = new Date(Date.now() - 3 * HOUR_MS);
    const id = oid(1);
    await states.create([{ taskId: id, userId: 'u1', summary: summary('第一篇', created, { batchId: oid(77) }) }]);
    const c = (s: string) => keys.ix.byAccount(oid(900), 'c', s);
    expect(await redis.zScore(c('pending'), id)).toBe(created.getTime());
    expect(await redis.sMembers(keys.live)).toEqual([id]);
    expect(await redis.zScore(keys.ix.batch(oid(77)), id)).toBe(created.getTime());
    expect(await redis.sMembers(keys.ix.userAccounts('u1'))).toEqual([oid(900)]);
    const hour = Math.floor(created.getTime() / HOUR_MS);
    expect(await redis.hGetAll(keys.stats.hour('u1', hour))).toEqual({ 's:pending': '1' });

    await states.transition(id, { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: 'j' } });
    await states.claim(id, 'j', 'w', 2, taskError('WORKER_LOST'), 'tok');
    const failed = await states.transition(id, { from: ['running'], to: 'failed', attempt: 1, token: 'tok', stage: 'failed', error: taskError('RISK_CONTROL') });
    expect(failed.ok).toBe(true);
    expect(await redis.zScore(c('pending'), id)).toBeNull();
    expect(await redis.zScore(c('failed'), id)).toBe(created.getTime());
    expect(await redis.sMembers(keys.live)).toEqual([]);
    const failHour = Math.floor(Date.now() / HOUR_MS);
    expect(await redis.hGetAll(keys.stats.hour('u1', hour))).toEqual({ 's:failed': '1', [`ko:${failHour}`]: '1', 'f:RISK_CONTROL': '1' });
    // The row in the hash is the row a list shows.
    const row = rowFromHash(id, await redis.hGetAll(keys.task(id)));
    expect(row).toMatchObject({ status: 'failed', title: '第一篇', batchId: oid(77), error: { code: 'RISK_CONTROL' }, createdAt: created.toISOString() });
    expect(row?.startedAt).toBeTruthy();
    expect(row?.finishedAt).toBeTruthy();

    // A retry that succeeds moves every count with it.
    await states.transition(id, { from: ['failed'], to: 'pending', stage: 'created', set: { jobId: '' } });
    await states.transition(id, { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: 'j2' } });
    await states.claim(id, 'j2', 'w', 2, taskError('WORKER_LOST'), 'tok2');
    await states.transition(id, { from: ['running'], to: 'success', attempt: 2, token: 'tok2', stage: 'verified', result: { url: 'http://x/p/1', articleId: '1' } });
    const counters = await redis.hGetAll(keys.stats.hour('u1', hour));
    const started = Date.parse(rowFromHash(id, await redis.hGetAll(keys.task(id)))?.startedAt ?? '');
    const finished = Date.parse(rowFromHash(id, await redis.hGetAll(keys.task(id)))?.finishedAt ?? '');
    expect(counters).toEqual({ 's:success': '1', [`ok:${Math.floor(finished / HOUR_MS)}`]: '1', [`d:${durationBucket(finished - started)}`]: '1' });
    expect(await redis.hGetAll(keys.ix.counts)).toEqual({ success: '1' });

    const removed = await states.remove(id);
    expect(removed.ok).toBe(true);
    // Nothing of it is left in any index or count: only the tombstone.
    const left = await dump(keys.prefix, { rows: false });
    expect(Object.keys(left).filter((k) => !k.includes(':task:'))).toEqual([]);
  });

  it('keep an end they know over an older document, and restore nothing from it', async () => {
    const keys = redisKeys(`old${Date.now()}`);
    const states = new TaskStates(redis, keys);
    const id = oid(7);
    const created = new Date(Date.now() - HOUR_MS);
    await states.create([{ taskId: id, userId: 'u1', summary: summary('结束了', created) }]);
    await states.transition(id, { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: 'j' } });
    await states.claim(id, 'j', 'w', 2, taskError('WORKER_LOST'), 'tok');
    const lagging = rowFromHash(id, await redis.hGetAll(keys.task(id)));
    await states.transition(id, { from: ['running'], to: 'success', attempt: 1, token: 'tok', stage: 'verified' });
    // The hash expired; MongoDB still says running (its projection lags).
    await redis.del(keys.task(id));
    if (!lagging) throw new Error('no row');
    const date = (iso: string | undefined) => (iso === undefined ? null : new Date(iso));
    const doc: StoredTask = {
      ...lagging,
      _id: id,
      scheduledAt: date(lagging.scheduledAt),
      startedAt: date(lagging.startedAt),
      finishedAt: date(lagging.finishedAt),
      evidence: null,
      createdAt: created,
      updatedAt: new Date(lagging.updatedAt),
    };
    expect(await states.index([doc], 0)).toEqual(['indexed']);
    expect(await redis.exists(keys.task(id))).toBe(0);
    expect(await redis.zScore(keys.ix.byAccount(oid(900), 'c', 'success'), id)).toBe(created.getTime());
    expect(await redis.zScore(keys.ix.byAccount(oid(900), 'c', 'running'), id)).toBeNull();
    expect(await redis.sMembers(keys.live)).toEqual([]);
  });

  it('are what indexing the stored documents leaves, to the byte', async () => {
    const keys = redisKeys(`eq${Date.now()}`);
    const states = new TaskStates(redis, keys);
    const base = Date.now() - 30 * HOUR_MS;
    const outcomes = ['success', 'failed', 'cancelled', 'unconfirmed', 'pending', 'success'] as const;
    const docs: StoredTask[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      const id = oid(100 + i);
      const created = new Date(base + i * 7 * HOUR_MS + i);
      const title = i === 3 ? 'a\u0000b 标题' : `标题 ${i % 2}`;
      await states.create([{ taskId: id, userId: i < 4 ? 'u1' : 'u2', summary: summary(title, created, i < 2 ? { batchId: oid(55) } : {}) }]);
      if (outcome === 'pending') continue;
      if (outcome === 'cancelled') {
        await states.transition(id, { from: ['pending'], to: 'cancelled', stage: 'cancelled' });
      } else {
        await states.transition(id, { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: `j${i}` } });
        await states.claim(id, `j${i}`, 'w', 2, taskError('WORKER_LOST'), `t${i}`);
        await states.transition(id, { from: ['running'], to: 'running', attempt: 1, token: `t${i}`, stage: 'login' });
        if (outcome === 'success') await states.transition(id, { from: ['running'], to: 'success', attempt: 1, token: `t${i}`, stage: 'verified', result: { url: `http://x/p/${i}`, articleId: String(i) } });
        if (outcome === 'failed') await states.transition(id, { from: ['running'], to: 'failed', attempt: 1, token: `t${i}`, stage: 'failed', error: taskError('PHONE_BINDING_REQUIRED'), evidence: { url: 'http://x/write', pageTitle: '写文章', screenshot: true, at: new Date().toISOString() } });
        if (outcome === 'unconfirmed') await states.transition(id, { from: ['running'], to: 'unconfirmed', attempt: 1, token: `t${i}`, stage: 'unconfirmed', error: taskError('PUBLISH_TIMEOUT') });
      }
    }
    // The documents the projection leaves: the same row, as MongoDB types it.
    for (let i = 0; i < outcomes.length; i++) {
      const id = oid(100 + i);
      const h = await redis.hGetAll(keys.task(id));
      const row = rowFromHash(id, h);
      if (!row) throw new Error('no row');
      const date = (s: string | undefined) => (s ? new Date(s) : undefined);
      docs.push({
        _id: id,
        userId: row.userId,
        accountId: row.accountId,
        platform: row.platform,
        title: row.title,
        topics: row.topics,
        priority: row.priority,
        batchId: row.batchId,
        status: row.status,
        progress: row.progress,
        stage: row.stage,
        attempt: row.attempt,
        v: row.v,
        error: row.error,
        result: row.result,
        evidence: row.evidence ? { ...row.evidence, at: new Date(row.evidence.at) } : undefined,
        startedAt: date(row.startedAt),
        finishedAt: date(row.finishedAt),
        lastEventId: row.lastEventId,
        createdAt: new Date(row.createdAt),
        updatedAt: new Date(row.updatedAt),
      });
    }
    const byScripts = await dump(keys.prefix, { rows: true });
    for await (const batch of redis.scanIterator({ MATCH: `${keys.prefix}:*`, COUNT: 1000 })) if (batch.length > 0) await redis.del(batch);
    expect(await states.index(docs, 0)).toEqual(['indexed', 'indexed', 'indexed', 'indexed', 'restored', 'indexed']);
    const byDocuments = await dump(keys.prefix, { rows: true });
    // The live task came back with an event of its own (so every server takes it up again).
    const restored = `${keys.prefix}:task:${oid(104)}`;
    const events = await redis.xRange(keys.events, '-', '+');
    expect(events.at(-1)?.message.e).toContain('restored from MongoDB');
    for (const d of [byDocuments, byScripts]) delete (d[restored] as { lastEventId?: string }).lastEventId;
    expect(byDocuments).toEqual(byScripts);
    // Indexing again changes nothing: a rebuild can run over what is already there.
    expect(await states.index(docs, 0)).toEqual(['kept', 'kept', 'kept', 'kept', 'kept', 'kept']);
    const again = await dump(keys.prefix, { rows: true });
    delete (again[restored] as { lastEventId?: string }).lastEventId;
    expect(again).toEqual(byScripts);
  });
});
