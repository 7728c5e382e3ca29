import { describe, expect, it } from 'vitest';
import type { TaskView } from './api';
import type { TaskEvent } from './events';
import { compareTasks, compareText, eventPatch, mergeEvent, rowFromEvent, withEvent } from './task-row';

const at = (s: number) => new Date(Date.UTC(2026, 10, 28, 9, 0, s)).toISOString();

function event(v: number, fields: Partial<TaskEvent>): TaskEvent {
  return { id: `176430000${v}000-000000`, taskId: 't1', userId: 'u1', attempt: 1, v, status: 'running', progress: 10, stage: 'browser', at: at(v), ...fields };
}

const created = event(0, {
  attempt: 0,
  status: 'pending',
  progress: 0,
  stage: 'created',
  task: { accountId: 'a1', platform: 'sandbox', title: '标题', topics: [], priority: 'normal', createdAt: at(0) },
});

describe('one event, one row', () => {
  it('builds a row from an event with the summary, and moves it only forward', () => {
    const row = rowFromEvent(created);
    expect(row).toMatchObject({ id: 't1', status: 'pending', v: 0, createdAt: at(0), updatedAt: at(0) });
    expect(row && 'scheduledAt' in row).toBe(false);
    const running = mergeEvent(row ?? undefined, event(2, {}));
    expect(running.kind).toBe('apply');
    const held = running.kind === 'apply' ? running.row : (row as TaskView);
    expect(held).toMatchObject({ status: 'running', startedAt: at(2), v: 2 });
    expect(mergeEvent(held, event(1, { status: 'queued', stage: 'queued' })).kind).toBe('stale');
    expect(mergeEvent(undefined, event(3, {})).kind).toBe('unknown');
  });

  it('keeps evidence with the attempt that failed and drops it when the next one starts', () => {
    const evidence = { url: 'http://x/write', pageTitle: '写文章', screenshot: true, at: at(5) };
    const failed = withEvent(rowFromEvent(created) as TaskView, event(5, { status: 'failed', stage: 'failed', evidence, error: { code: 'RISK_CONTROL', message: 'x', retryable: true } }));
    expect(failed).toMatchObject({ evidence, finishedAt: at(5), error: { code: 'RISK_CONTROL' } });
    const retried = withEvent(failed, event(6, { status: 'pending', stage: 'created', progress: 0 }));
    expect(retried.finishedAt).toBeUndefined();
    expect(retried.evidence).toEqual(evidence);
    const again = withEvent(retried, event(8, { attempt: 2 }));
    expect(again.evidence).toBeUndefined();
    const done = withEvent(again, event(9, { attempt: 2, status: 'success', stage: 'verified', progress: 100, result: { url: 'u', articleId: '1' } }));
    expect(done.error).toBeUndefined();
    expect(done.finishedAt).toBe(at(9));
  });

  it('says what a MongoDB update sets and clears', () => {
    expect(eventPatch(event(2, {}))).toEqual({
      set: { status: 'running', progress: 10, stage: 'browser', attempt: 1, v: 2, updatedAt: at(2), startedAt: at(2) },
      unset: ['finishedAt', 'evidence'],
    });
    expect(eventPatch(event(3, { status: 'pending', stage: 'scheduled', task: { ...created.task, scheduledAt: at(60) } as TaskEvent['task'] })).set.scheduledAt).toBe(at(60));
    expect(eventPatch(event(3, { status: 'pending', stage: 'created', task: created.task })).unset).toContain('scheduledAt');
  });
});

describe('the order of lists', () => {
  it('compares text by code point, as Redis orders UTF-8 bytes', () => {
    // U+FF5E (a full-width tilde) sorts before U+1F600 (an emoji) by code point, after it in UTF-16.
    expect(compareText('\uFF5E', '😀')).toBe(-1);
    expect('\uFF5E' < '😀').toBe(false);
    expect(Buffer.compare(Buffer.from('\uFF5E'), Buffer.from('😀'))).toBe(-1);
    expect(compareText('ab', 'abc')).toBe(-1);
    expect(compareText('abc', 'abc')).toBe(0);
  });

  it('breaks ties of the status sort by creation time, then id', () => {
    const row = (id: string, status: TaskView['status'], s: number) => ({ ...(rowFromEvent(created) as TaskView), id, status, createdAt: at(s) });
    const rows = [row('c', 'failed', 1), row('a', 'success', 2), row('b', 'failed', 0), row('d', 'failed', 1)];
    expect([...rows].sort(compareTasks('status', 'asc')).map((r) => r.id)).toEqual(['b', 'c', 'd', 'a']);
    expect([...rows].sort(compareTasks('status', 'desc')).map((r) => r.id)).toEqual(['a', 'd', 'c', 'b']);
  });
});
