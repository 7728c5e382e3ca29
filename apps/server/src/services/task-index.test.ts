import type { TaskEvent } from '@zpub/shared';
import { describe, expect, it } from 'vitest';
import { TaskIndex } from './task-index';

let n = 0;
const eid = () => `${String(1764300000000 + n++).padStart(13, '0')}-000000`;
const oid = (i: number) => i.toString(16).padStart(24, '0');

function created(taskId: string, userId: string, title: string, extra: Partial<TaskEvent['task'] & object> = {}): TaskEvent {
  return {
    id: eid(),
    taskId,
    userId,
    attempt: 0,
    v: 0,
    status: 'pending',
    progress: 0,
    stage: 'created',
    at: new Date(1764300000000 + n * 1000).toISOString(),
    task: {
      accountId: 'acc',
      platform: 'sandbox',
      title,
      topics: [],
      priority: 'normal',
      createdAt: new Date(1764300000000 + n * 1000).toISOString(),
      ...extra,
    },
  };
}

describe('TaskIndex', () => {
  it('applies events in version order only', () => {
    const index = new TaskIndex();
    index.apply(created(oid(1), 'u1', 'a'));
    const running = { ...created(oid(1), 'u1', 'a'), id: eid(), v: 2, status: 'running' as const, progress: 20, stage: 'login' as const, task: undefined };
    const queued = { ...created(oid(1), 'u1', 'a'), id: eid(), v: 1, status: 'queued' as const, progress: 5, stage: 'queued' as const, task: undefined };
    index.apply(running);
    // A late, older event cannot move the row back.
    expect(index.apply(queued)).toBeUndefined();
    expect(index.get(oid(1))).toMatchObject({ status: 'running', progress: 20, v: 2 });
  });

  it('lists only the owner\'s rows, filtered, sorted and paged without gaps', () => {
    const index = new TaskIndex();
    for (let i = 1; i <= 25; i++) index.apply(created(oid(i), i % 5 === 0 ? 'other' : 'u1', `t${String(i).padStart(2, '0')}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = index.list('u1', { limit: 7, sort: 'title', order: 'asc', cursor });
      expect(page.total).toBe(20);
      seen.push(...page.items.map((t) => t.title));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(20);
    expect(seen).not.toContain('t05');
    expect(index.list('u1', { status: 'success' }).total).toBe(0);
    expect(index.list('nobody', {}).items).toEqual([]);
  });

  it('orders due pending tasks by priority, then age, and holds scheduled ones', () => {
    const index = new TaskIndex();
    index.apply(created(oid(1), 'u1', 'low', { priority: 'low' }));
    index.apply(created(oid(2), 'u1', 'normal'));
    index.apply(created(oid(3), 'u1', 'high', { priority: 'high' }));
    index.apply(created(oid(4), 'u1', 'later', { priority: 'high', scheduledAt: new Date(Date.now() + 60_000).toISOString() }));
    expect(index.duePending('u1', Date.now()).map((t) => t.title)).toEqual(['high', 'normal', 'low']);
    expect(index.duePending('u1', Date.now() + 120_000).map((t) => t.title)).toEqual(['high', 'later', 'normal', 'low']);
  });

  it('keeps the live rows (pending, queued, running) apart, so passes need not walk ended tasks', () => {
    const index = new TaskIndex();
    index.apply(created(oid(101), 'u9', 'a'));
    index.apply(created(oid(102), 'u9', 'b'));
    const ended = { ...created(oid(101), 'u9', 'a'), id: eid(), v: 1, status: 'cancelled' as const, stage: 'cancelled' as const, task: undefined };
    index.apply(ended);
    expect([...index.liveRows()].map((r) => r.id)).toEqual([oid(102)]);
    expect(index.duePending('u9', Date.now()).map((r) => r.id)).toEqual([oid(102)]);
    // A retry brings it back; a removal takes it out for good.
    index.apply({ ...ended, id: eid(), v: 2, status: 'pending', stage: 'created' });
    expect([...index.liveRows()].map((r) => r.id).sort()).toEqual([oid(101), oid(102)]);
    index.apply({ ...ended, id: eid(), v: 3, status: 'cancelled', stage: 'cancelled' });
    index.apply({ ...ended, id: eid(), v: 4, stage: 'removed', removed: true });
    index.apply({ ...created(oid(102), 'u9', 'b'), id: eid(), v: 1, status: 'queued', stage: 'queued', task: undefined });
    expect([...index.liveRows()].map((r) => r.id)).toEqual([oid(102)]);
    expect([...index.liveUsers()]).toEqual(['u9']);
    expect(index.inFlight().queued).toBe(1);
  });
});
