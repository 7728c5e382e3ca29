/**
 * The counts and the pending order LiveTasks keeps on every change (what a dispatcher pass reads)
 * against the same figures recounted from every held row, after each of 1,500 events in
 * a random but lawful order: creations, dispatches, starts, ends, hand-backs, priority changes,
 * removals, stale and repeated events. `apply` needs no Redis; the clients are never called.
 */
import { IN_FLIGHT_STATUSES, PRIORITY_RANK, type TaskEvent, type TaskStatus } from '@zpub/shared';
import { TaskStates, createLogger, redisKeys, type RedisClient } from '@zpub/shared/node';
import { describe, expect, it } from 'vitest';
import { LiveTasks, type LiveRow } from './live-tasks';

const oid = (n: number) => n.toString(16).padStart(24, '0');
const USERS = [oid(1), oid(2), oid(3)];
const ACCOUNTS = [oid(11), oid(12), oid(13), oid(14)];
const PRIORITIES = ['high', 'normal', 'low'] as const;
const T0 = Date.UTC(2026, 11, 1);

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

interface Sim {
  userId: string;
  accountId: string;
  status: TaskStatus;
  v: number;
  priority: string;
  scheduledAt?: string;
}

function recount(rows: LiveRow[], now: number) {
  const byUser = new Map<string, number>();
  const byAccount = new Map<string, number>();
  let queued = 0;
  for (const r of rows) {
    if (!IN_FLIGHT_STATUSES.includes(r.status)) continue;
    if (r.status === 'queued') queued++;
    byUser.set(r.userId, (byUser.get(r.userId) ?? 0) + 1);
    byAccount.set(r.accountId, (byAccount.get(r.accountId) ?? 0) + 1);
  }
  const due = (userId: string) =>
    rows
      .filter((r) => r.userId === userId && r.status === 'pending' && !(r.scheduledAt && Date.parse(r.scheduledAt) > now))
      .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || (a.id < b.id ? -1 : 1))
      .map((r) => `${r.id}@${r.v}`);
  return { byUser, byAccount, queued, accounts: new Set(rows.map((r) => r.accountId)), due };
}

describe('LiveTasks keeps its counts on every change', () => {
  it('matches a recount of every held row after each of 1,500 events', () => {
    const live = new LiveTasks({} as RedisClient, redisKeys('unused'), new TaskStates({} as RedisClient, redisKeys('unused')), async () => null, createLogger('test', 'silent'));
    const random = rng(7);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const sims = new Map<string, Sim>();
    let seq = 0;
    let nextTask = 100;
    const now = T0 + 60_000;
    const event = (taskId: string, sim: Sim, extra: Partial<TaskEvent> = {}): TaskEvent => ({
      id: `${String(T0 + seq).padStart(13, '0')}-${String(seq++).padStart(6, '0')}`,
      taskId,
      userId: sim.userId,
      attempt: 0,
      v: sim.v,
      status: sim.status,
      progress: 0,
      stage: 'created',
      at: new Date(T0 + seq).toISOString(),
      ...extra,
    });
    let lastEvent: TaskEvent | null = null;
    for (let step = 0; step < 1500; step++) {
      const roll = random();
      const ids = [...sims.keys()];
      let e: TaskEvent;
      if (roll < 0.3 || ids.length === 0) {
        const taskId = oid(nextTask++);
        const sim: Sim = { userId: pick(USERS), accountId: pick(ACCOUNTS), status: 'pending', v: 0, priority: pick(PRIORITIES) };
        // Some are scheduled: half of those are not due yet.
        if (random() < 0.2) sim.scheduledAt = new Date(now + (random() < 0.5 ? -1 : 1) * 30_000).toISOString();
        sims.set(taskId, sim);
        e = event(taskId, sim, {
          task: { accountId: sim.accountId, platform: 'zhihu', title: `t${taskId}`, topics: [], priority: sim.priority, createdAt: new Date(T0).toISOString(), ...(sim.scheduledAt ? { scheduledAt: sim.scheduledAt } : {}) },
        });
      } else if (roll < 0.36 && lastEvent) {
        // A repeated (stale) event changes nothing.
        e = lastEvent;
      } else {
        const taskId = pick(ids);
        const sim = sims.get(taskId) as Sim;
        sim.v++;
        const r = random();
        const next: Record<TaskStatus, TaskStatus[]> = {
          pending: ['queued', 'cancelled', 'pending'],
          queued: ['running', 'pending', 'cancelled'],
          running: ['success', 'failed', 'pending', 'unconfirmed', 'running'],
          success: [],
          failed: ['pending'],
          cancelled: ['pending'],
          unconfirmed: ['pending'],
        };
        const choices = next[sim.status];
        if (r < 0.05) {
          e = event(taskId, sim, { removed: true });
          sims.delete(taskId);
        } else if (choices.length === 0) {
          sims.delete(taskId);
          continue;
        } else {
          sim.status = pick(choices);
          // A retried task comes back live carrying its summary (as the state scripts send it).
          e = event(taskId, sim, sim.status === 'pending' ? { task: { accountId: sim.accountId, platform: 'zhihu', title: `t${taskId}`, topics: [], priority: sim.priority, createdAt: new Date(T0).toISOString() } } : {});
        }
      }
      live.apply(e);
      lastEvent = e;

      const held = [...live.liveRows()];
      const want = recount(held, now);
      const got = live.inFlight();
      expect(got.queued, `queued after step ${step}`).toBe(want.queued);
      expect(Object.fromEntries(got.byUser), `in flight per user after step ${step}`).toEqual(Object.fromEntries(want.byUser));
      expect(Object.fromEntries(got.byAccount), `in flight per account after step ${step}`).toEqual(Object.fromEntries(want.byAccount));
      expect(new Set(live.liveAccounts()), `live accounts after step ${step}`).toEqual(want.accounts);
      for (const userId of USERS) {
        expect([...live.duePending(userId, now)].map((r) => `${r.id}@${r.v}`), `due pending of ${userId} after step ${step}`).toEqual(want.due(userId));
      }
    }
    // The walk went through every kind of state, so the checks above were not all on empty sets.
    expect(live.size).toBeGreaterThan(10);
    expect(live.inFlight().queued).toBeGreaterThan(0);
  }, 60_000);

  it('holds a live row per task as its events say, and none once it ended', () => {
    const live = new LiveTasks({} as RedisClient, redisKeys('unused'), new TaskStates({} as RedisClient, redisKeys('unused')), async () => null, createLogger('test', 'silent'));
    const base = { userId: USERS[0] as string, attempt: 0, progress: 0, stage: 'created' as const, at: new Date(T0).toISOString() };
    const task = { accountId: ACCOUNTS[0] as string, platform: 'zhihu', title: 'a', topics: [], priority: 'normal', createdAt: new Date(T0).toISOString() };
    live.apply({ ...base, id: '1', taskId: oid(500), v: 0, status: 'pending', task });
    live.apply({ ...base, id: '2', taskId: oid(500), v: 1, status: 'queued' });
    expect(live.inFlight().queued).toBe(1);
    expect([...live.duePending(USERS[0] as string, T0)]).toEqual([]);
    live.apply({ ...base, id: '3', taskId: oid(500), v: 2, status: 'success' });
    expect(live.size).toBe(0);
    expect(live.inFlight()).toEqual({ byUser: new Map(), byAccount: new Map(), queued: 0 });
    expect([...live.liveAccounts()]).toEqual([]);
  });
});
