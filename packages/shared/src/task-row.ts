/**
 * How one event changes one task row, and the order lists sort rows in. One definition for every
 * reader: the server's live rows, the SPA's store, the projector's MongoDB updates (through
 * `eventPatch`); the Lua scripts that keep the same row in Redis follow the same rules
 * (node/task-state.ts, `stamp`), and a test compares what they store with what MongoDB holds.
 */
import type { TaskView } from './api';
import type { TaskEvent } from './events';
import type { Platform, Priority } from './task';
import { isTerminal } from './task';

/** Fields of a row that an event may set or clear (besides the state fields every event sets). */
type Patchable = Pick<TaskView, 'startedAt' | 'finishedAt' | 'scheduledAt' | 'error' | 'result' | 'evidence'>;

export interface EventPatch {
  set: Partial<TaskView>;
  unset: (keyof Patchable)[];
}

/**
 * What an event changes in its task's row. Versions per task only grow; whoever applies a patch
 * checks first that the event is newer than the row (`e.v > row.v`).
 */
export function eventPatch(e: TaskEvent): EventPatch {
  const set: Partial<TaskView> = { status: e.status, progress: e.progress, stage: e.stage, attempt: e.attempt, v: e.v, updatedAt: e.at };
  const unset = new Set<keyof Patchable>();
  const put = <K extends keyof Patchable>(k: K, value: TaskView[K]) => {
    set[k] = value;
    unset.delete(k);
  };
  const clear = (k: keyof Patchable) => {
    delete set[k];
    unset.add(k);
  };
  if (e.status === 'running' && e.stage === 'browser') {
    put('startedAt', e.at);
    clear('finishedAt');
    // Evidence belongs to the attempt that failed; a new attempt starts without any.
    clear('evidence');
  }
  if (e.status === 'pending') {
    // A retry (or a reschedule) starts over: the old result no longer describes the task.
    clear('finishedAt');
    clear('result');
  }
  if (e.task) {
    if (e.task.scheduledAt === undefined) clear('scheduledAt');
    else put('scheduledAt', e.task.scheduledAt);
  }
  if (e.error) put('error', e.error);
  if (e.result) put('result', e.result);
  if (e.evidence) put('evidence', e.evidence);
  if (e.status === 'success') clear('error');
  if (isTerminal(e.status)) put('finishedAt', e.at);
  return { set, unset: [...unset] };
}

/** The row after the event (a new object; the input is not touched). */
export function withEvent(row: TaskView, e: TaskEvent): TaskView {
  const { set, unset } = eventPatch(e);
  const next: TaskView = { ...row, ...set };
  // `delete` turns an object into a slow dictionary for good: only for a field that is there.
  for (const k of unset) if (k in next) delete next[k];
  return next;
}

/** A row built from an event that carries the task's summary (its creation, a retry, a restore). */
export function rowFromEvent(e: TaskEvent): TaskView | null {
  if (!e.task) return null;
  const base: TaskView = {
    id: e.taskId,
    accountId: e.task.accountId,
    platform: e.task.platform as Platform,
    title: e.task.title,
    topics: [...e.task.topics],
    priority: e.task.priority as Priority,
    status: e.status,
    progress: e.progress,
    stage: e.stage,
    attempt: e.attempt,
    v: e.v,
    createdAt: e.task.createdAt,
    updatedAt: e.at,
  };
  // Added when there, rather than deleted when not: see withEvent.
  if (e.task.scheduledAt !== undefined) base.scheduledAt = e.task.scheduledAt;
  if (e.task.batchId !== undefined) base.batchId = e.task.batchId;
  return withEvent(base, e);
}

export type MergeDecision =
  | { kind: 'apply'; row: TaskView }
  | { kind: 'stale' }
  /** The row is not known and the event cannot build it: ask the server for the task. */
  | { kind: 'unknown' };

/** What an event does to the row held for its task (if any). */
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
export function detailToView(detail: TaskView & { content?: unknown; events?: unknown }): TaskView {
  const { content: _content, events: _events, ...view } = detail;
  return view;
}

// ---------- the order of lists ----------

export type TaskSort = 'createdAt' | 'updatedAt' | 'status' | 'title';

/**
 * Text in Unicode code point order, which is the byte order of UTF-8: the order Redis keeps
 * titles in (`ZRANGE ... BYLEX`). JavaScript's `<` compares UTF-16 units, which differs for
 * characters beyond U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  // One is a prefix of the other: the shorter comes first.
  return a.length < b.length ? -1 : 1;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order of a list, the same on the server and in the SPA: the sort field, then (for
 * `status`) the creation time, then the id; `desc` reverses the whole of it. ISO times of one
 * format compare as text in time order.
 */
export function compareTasks(sort: TaskSort, order: 'asc' | 'desc'): (a: TaskView, b: TaskView) => number {
  const dir = order === 'asc' ? 1 : -1;
  switch (sort) {
    case 'updatedAt':
      return (a, b) => dir * (cmp(a.updatedAt, b.updatedAt) || cmp(a.id, b.id));
    case 'status':
      return (a, b) => dir * (cmp(a.status, b.status) || cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
    case 'title':
      return (a, b) => dir * (compareText(a.title, b.title) || cmp(a.id, b.id));
    default:
      return (a, b) => dir * (cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
  }
}
