import type { TaskView } from '@zpub/shared';
import { describe, expect, it, vi } from 'vitest';
import { createTaskStore } from './task-store';
import { created, event, id, view } from './test-fixtures';

function setup(server: Record<string, TaskView> = {}) {
  const fetchTask = vi.fn(async (taskId: string) => server[taskId] ?? null);
  const store = createTaskStore({ fetchTask });
  return { store, fetchTask };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('task store: event -> row', () => {
  it('applies an event only when its version is newer than the row', () => {
    const { store } = setup();
    store.applySnapshot([view(1, { v: 3, status: 'queued', stage: 'queued', progress: 5 })]);
    store.applyEvent(event(1, 2, { status: 'pending', stage: 'created', progress: 0 }));
    expect(store.row(id(1))?.status).toBe('queued');
    store.applyEvent(event(1, 3, { status: 'running', stage: 'browser', progress: 10 }));
    expect(store.row(id(1))?.status).toBe('queued');
    store.applyEvent(event(1, 5, { status: 'running', stage: 'editor', progress: 40 }));
    expect(store.row(id(1))).toMatchObject({ status: 'running', stage: 'editor', progress: 40, v: 5 });
    // A late event from before cannot undo what is shown.
    store.applyEvent(event(1, 4, { status: 'running', stage: 'login', progress: 20 }));
    expect(store.row(id(1))).toMatchObject({ stage: 'editor', progress: 40, v: 5 });
  });

  it('keeps each task on its own version when events of several tasks interleave', () => {
    const { store } = setup();
    store.applySnapshot([view(1, { v: 1 }), view(2, { v: 7 })]);
    store.applyEvent(event(1, 2, { stage: 'browser', progress: 10 }));
    store.applyEvent(event(2, 8, { stage: 'login', progress: 20 }));
    store.applyEvent(event(1, 3, { stage: 'login', progress: 20 }));
    store.applyEvent(event(2, 6, { stage: 'browser', progress: 10 })); // stale for task 2 only
    store.applyEvent(event(1, 4, { stage: 'editor', progress: 40 }));
    expect(store.row(id(1))).toMatchObject({ v: 4, stage: 'editor', progress: 40 });
    expect(store.row(id(2))).toMatchObject({ v: 8, stage: 'login', progress: 20 });
  });

  it('adds a row for an unknown task when the event carries the task (created in another tab)', () => {
    const { store, fetchTask } = setup();
    store.applyEvent(created(9));
    expect(store.row(id(9))).toMatchObject({ id: id(9), title: 'Article 9', status: 'pending', v: 0, accountId: id(1000) });
    expect(fetchTask).not.toHaveBeenCalled();
  });

  it('fetches an unknown task without a summary when a view could show it, then catches up', async () => {
    const { store, fetchTask } = setup({ [id(4)]: view(4, { v: 2, status: 'queued', stage: 'queued' }) });
    store.addInterest(() => true);
    store.applyEvent(event(4, 3, { status: 'running', stage: 'browser', progress: 10 }));
    store.applyEvent(event(4, 4, { status: 'running', stage: 'login', progress: 20 }));
    expect(fetchTask).toHaveBeenCalledTimes(1); // one request per task, not per event
    await flush();
    expect(store.row(id(4))).toMatchObject({ v: 4, stage: 'login', progress: 20, status: 'running' });
  });

  it('parks events of unknown tasks nobody shows, and applies them to a later page', () => {
    const { store, fetchTask } = setup();
    store.applyEvent(event(5, 6, { status: 'success', stage: 'verified', progress: 100, result: { url: 'https://x/p/1', articleId: '1' } }));
    expect(fetchTask).not.toHaveBeenCalled();
    expect(store.row(id(5))).toBeUndefined();
    // The page was computed before that event: the event still wins.
    store.applySnapshot([view(5, { v: 5, status: 'running', stage: 'submitted', progress: 60 })]);
    expect(store.row(id(5))).toMatchObject({ v: 6, status: 'success', result: { url: 'https://x/p/1' } });
  });

  it('does not let an older page overwrite a newer row', () => {
    const { store } = setup();
    store.applyEvent(created(3));
    store.applyEvent(event(3, 1, { status: 'queued', stage: 'queued', progress: 5 }));
    store.applySnapshot([view(3, { v: 0 })]);
    expect(store.row(id(3))).toMatchObject({ v: 1, status: 'queued' });
    store.applySnapshot([view(3, { v: 9, status: 'failed', stage: 'failed', error: { code: 'LOGIN_EXPIRED', message: 'm', retryable: false } })]);
    expect(store.row(id(3))).toMatchObject({ v: 9, status: 'failed', error: { code: 'LOGIN_EXPIRED' } });
  });

  it('a retry clears the old result and finish time; success clears the error', () => {
    const { store } = setup();
    store.applySnapshot([
      view(6, { v: 4, status: 'unconfirmed', stage: 'unconfirmed', finishedAt: '2026-01-01T00:00:00.000Z', result: { url: 'u', articleId: '1' } }),
    ]);
    store.applyEvent(event(6, 5, { status: 'pending', stage: 'created', progress: 0, attempt: 1 }));
    expect(store.row(id(6))?.result).toBeUndefined();
    expect(store.row(id(6))?.finishedAt).toBeUndefined();
    store.applyEvent(event(6, 6, { status: 'failed', stage: 'failed', error: { code: 'PUBLISH_TIMEOUT', message: 'x', retryable: true } }));
    store.applyEvent(event(6, 7, { status: 'success', stage: 'verified', progress: 100, result: { url: 'https://z/p/2', articleId: '2' } }));
    expect(store.row(id(6))?.error).toBeUndefined();
    expect(store.row(id(6))).toMatchObject({ status: 'success', result: { articleId: '2' } });
    expect(store.row(id(6))?.finishedAt).toBeDefined();
  });

  it('tells listeners what changed, and why', () => {
    const { store } = setup();
    const seen: string[] = [];
    store.onChange((c) => seen.push(`${c.row.id.slice(-1)}:${c.before ? c.before.v : '-'}->${c.row.v}`));
    store.applyEvent(created(7));
    store.applyEvent(event(7, 1, { status: 'queued', stage: 'queued' }));
    store.applyEvent(event(7, 1, { status: 'queued', stage: 'queued' }));
    expect(seen).toEqual(['7:-->0', '7:0->1']);
  });

  it('drops a removed task and forgets events parked for it', () => {
    const { store } = setup();
    store.applySnapshot([view(8, { v: 4, status: 'failed', stage: 'failed' })]);
    const changes: { id: string; removed: boolean }[] = [];
    store.onChange((c) => changes.push({ id: c.row.id, removed: c.removed === true }));
    store.applyEvent(event(8, 5, { status: 'failed', stage: 'removed', progress: 100, removed: true }));
    expect(store.row(id(8))).toBeUndefined();
    expect(changes).toEqual([{ id: id(8), removed: true }]);
    // A removal of a task this tab never held changes nothing, and the events parked for it are
    // dropped: a later page showing the task does not get them applied on top.
    store.applyEvent(event(11, 3, { status: 'running', stage: 'login', progress: 20 }));
    store.applyEvent(event(11, 4, { status: 'cancelled', stage: 'removed', progress: 100, removed: true }));
    expect(store.row(id(11))).toBeUndefined();
    expect(changes).toHaveLength(1);
    store.applySnapshot([view(11, { v: 2, status: 'queued', stage: 'queued' })]);
    expect(store.row(id(11))).toMatchObject({ v: 2, status: 'queued', stage: 'queued' });
  });
});
