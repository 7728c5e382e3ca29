/**
 * How one event changes one task row, as pure functions (the store applies them). Versions per
 * task only grow: an event applies only if its `v` is newer than the row's. Mirrors the server's
 * own index (apps/server/src/services/task-index.ts) so both agree on what a row looks like.
 */
import type { Platform, Priority, TaskEvent, TaskView } from '@zpub/shared';

const TERMINAL = new Set(['success', 'failed', 'cancelled', 'unconfirmed']);

export type MergeDecision =
  | { kind: 'apply'; row: TaskView }
  | { kind: 'stale' }
  /** The row is not known and the event cannot build it: ask the server for the task. */
  | { kind: 'unknown' };

/** A row built from an event that carries the task's summary (a task created elsewhere). */
export function rowFromEvent(e: TaskEvent): TaskView | null {
  if (!e.task) return null;
  const base: TaskView = {
    id: e.taskId,
    accountId: e.task.accountId,
    platform: e.task.platform as Platform,
    title: e.task.title,
    topics: [...e.task.topics],
    priority: e.task.priority as Priority,
    scheduledAt: e.task.scheduledAt,
    batchId: e.task.batchId,
    status: e.status,
    progress: e.progress,
    stage: e.stage,
    attempt: e.attempt,
    v: e.v,
    createdAt: e.task.createdAt,
    updatedAt: e.at,
  };
  return withEvent(base, e);
}

/** The row after the event (a new object; the input is not touched). */
export function withEvent(row: TaskView, e: TaskEvent): TaskView {
  const next: TaskView = {
    ...row,
    status: e.status,
    progress: e.progress,
    stage: e.stage,
    attempt: e.attempt,
    v: e.v,
    updatedAt: e.at,
  };
  if (e.status === 'running' && e.stage === 'browser') {
    next.startedAt = e.at;
    delete next.finishedAt;
  }
  if (e.status === 'pending') {
    // A retry (or a reschedule) starts over: the old result no longer describes the task.
    delete next.finishedAt;
    delete next.result;
  }
  if (e.task) {
    if (e.task.scheduledAt === undefined) delete next.scheduledAt;
    else next.scheduledAt = e.task.scheduledAt;
  }
  if (e.error) next.error = e.error;
  if (e.result) next.result = e.result;
  if (e.evidence) next.evidence = e.evidence;
  if (e.status === 'success') delete next.error;
  if (TERMINAL.has(e.status)) next.finishedAt = e.at;
  return next;
}

/** What an event does to the row the store holds for its task (if any). */
export function mergeEvent(row: TaskView | undefined, e: TaskEvent): MergeDecision {
  if (row) return e.v > row.v ? { kind: 'apply', row: withEvent(row, e) } : { kind: 'stale' };
  const built = rowFromEvent(e);
  return built ? { kind: 'apply', row: built } : { kind: 'unknown' };
}

/**
 * A row from a list page or `byId` against the one already held: the newer version wins, so a
 * page fetched before an event cannot undo it. Returns null when the held row stays.
 */
export function mergeSnapshot(held: TaskView | undefined, incoming: TaskView): TaskView | null {
  if (held && held.v >= incoming.v) return null;
  return incoming;
}

/** Applies, in order, the events newer than the row (events buffered while it was unknown). */
export function catchUp(row: TaskView, events: readonly TaskEvent[]): TaskView {
  let out = row;
  for (const e of [...events].sort((a, b) => a.v - b.v)) {
    if (e.v > out.v) out = withEvent(out, e);
  }
  return out;
}

/** Only the fields of a task view (a `byId` answer also carries content and events). */
export function toView(detail: TaskView & { content?: unknown; events?: unknown }): TaskView {
  const { content: _content, events: _events, ...view } = detail;
  return view;
}
