/**
 * Every task's current row, in memory, kept up to date from the events stream. Lists, filters,
 * statistics and the dispatcher read it instead of MongoDB (on FerretDB v1 any query that is not
 * by `_id` scans the whole collection). Rows only move forward: an event applies if its version
 * is newer than the row's.
 */
import type { ListTasksInput, TaskStatus, TaskView } from '@zpub/shared';
import { IN_FLIGHT_STATUSES, PRIORITY_RANK, listTasksInput, type Priority, type Stage } from '@zpub/shared';
import type { StreamEvent, TaskDoc } from '@zpub/shared/node';

export interface TaskRow {
  id: string;
  userId: string;
  accountId: string;
  platform: TaskView['platform'];
  title: string;
  topics: string[];
  priority: Priority;
  scheduledAt?: string | undefined;
  batchId?: string | undefined;
  status: TaskStatus;
  progress: number;
  stage: Stage;
  attempt: number;
  v: number;
  error?: TaskView['error'];
  result?: TaskView['result'];
  evidence?: TaskView['evidence'];
  createdAt: string;
  updatedAt: string;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  lastEventId: string;
}

export interface ListPage {
  items: TaskView[];
  nextCursor: string | null;
  total: number;
}

type Listener = (row: TaskRow, event: StreamEvent | null) => void;

/** Tasks that have not ended: the ones a dispatcher or a reconciler may still act on. */
const LIVE_STATUSES: readonly TaskStatus[] = ['pending', 'queued', 'running'];

export class TaskIndex {
  private readonly rows = new Map<string, TaskRow>();
  private readonly byUser = new Map<string, Map<string, TaskRow>>();
  /** Rows that are pending, queued or running, per user: all the dispatcher and reconciler read. */
  private readonly liveByUser = new Map<string, Map<string, TaskRow>>();
  private readonly listeners: Listener[] = [];

  get size(): number {
    return this.rows.size;
  }

  get(id: string): TaskRow | undefined {
    return this.rows.get(id);
  }

  /** Called after every change of a row (the dispatcher listens). */
  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  userRows(userId: string): Iterable<TaskRow> {
    return this.byUser.get(userId)?.values() ?? [];
  }

  /** Users with a task pending, queued or running. */
  liveUsers(): Iterable<string> {
    return this.liveByUser.keys();
  }

  /** Every task pending, queued or running, without walking the ended ones. */
  *liveRows(): Iterable<TaskRow> {
    for (const mine of this.liveByUser.values()) yield* mine.values();
  }

  all(): Iterable<TaskRow> {
    return this.rows.values();
  }

  /** Loads a row from the durable projection (start-up), unless a newer one is already here. */
  loadDoc(doc: Pick<TaskDoc, keyof TaskDoc> & { _id: { toString(): string } }): void {
    const id = doc._id.toString();
    const existing = this.rows.get(id);
    if (existing && existing.v >= doc.v) return;
    const row: TaskRow = {
      id,
      userId: doc.userId.toString(),
      accountId: doc.accountId.toString(),
      platform: doc.platform,
      title: doc.title,
      topics: [...(doc.topics ?? [])],
      priority: doc.priority,
      scheduledAt: doc.scheduledAt?.toISOString(),
      batchId: doc.batchId?.toString(),
      status: doc.status,
      progress: doc.progress,
      stage: doc.stage,
      attempt: doc.attempt,
      v: doc.v,
      error: doc.error?.code ? (doc.error as TaskView['error']) : undefined,
      result: doc.result?.url ? (doc.result as TaskView['result']) : undefined,
      evidence: doc.evidence?.url
        ? { url: doc.evidence.url, pageTitle: doc.evidence.pageTitle ?? '', screenshot: Boolean(doc.evidence.screenshot), at: (doc.evidence.at ?? doc.updatedAt).toISOString() }
        : undefined,
      createdAt: doc.createdAt.toISOString(),
      updatedAt: doc.updatedAt.toISOString(),
      startedAt: doc.startedAt?.toISOString(),
      finishedAt: doc.finishedAt?.toISOString(),
      lastEventId: doc.lastEventId ?? '',
    };
    this.put(row);
    this.emit(row, null);
  }

  /** Applies one event; returns the row when it changed. */
  apply(e: StreamEvent): TaskRow | undefined {
    if (e.removed) {
      const gone = this.rows.get(e.taskId);
      if (gone) {
        this.remove(e.taskId);
        gone.stage = 'removed';
        this.emit(gone, e);
      }
      return gone;
    }
    let row = this.rows.get(e.taskId);
    if (!row) {
      if (!e.task) return undefined; // a task this process has not loaded yet and cannot build
      row = {
        id: e.taskId,
        userId: e.userId,
        accountId: e.task.accountId,
        platform: e.task.platform as TaskRow['platform'],
        title: e.task.title,
        topics: e.task.topics,
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
        lastEventId: e.id,
      };
      this.put(row);
      this.emit(row, e);
      return row;
    }
    if (e.v <= row.v && row.lastEventId !== '') return undefined;
    applyEvent(row, e);
    this.emit(row, e);
    return row;
  }

  /** Patches fields that do not travel in events (a reschedule, evidence). */
  patch(id: string, fields: Partial<Pick<TaskRow, 'scheduledAt' | 'evidence'>>): void {
    const row = this.rows.get(id);
    if (!row) return;
    Object.assign(row, fields);
    this.emit(row, null);
  }

  remove(id: string): void {
    const row = this.rows.get(id);
    if (!row) return;
    this.rows.delete(id);
    this.byUser.get(row.userId)?.delete(id);
    this.track(row);
  }

  list(userId: string, raw: ListTasksInput): ListPage {
    const input = listTasksInput.parse(raw);
    const statuses = input.status === undefined ? null : new Set(Array.isArray(input.status) ? input.status : [input.status]);
    const from = input.createdFrom ? Date.parse(input.createdFrom) : -Infinity;
    const to = input.createdTo ? Date.parse(input.createdTo) : Infinity;
    const matches: TaskRow[] = [];
    for (const row of this.userRows(userId)) {
      if (statuses && !statuses.has(row.status)) continue;
      if (input.batchId && row.batchId !== input.batchId) continue;
      if (input.accountId && row.accountId !== input.accountId) continue;
      const created = Date.parse(row.createdAt);
      if (created < from || created > to) continue;
      matches.push(row);
    }
    const key = sortKey(input.sort);
    const dir = input.order === 'asc' ? 1 : -1;
    // Ids are ObjectIds: they break ties in creation order, the same in every server process.
    const cmp = (a: TaskRow, b: TaskRow) => dir * (compare(key(a), key(b)) || compare(a.id, b.id));
    matches.sort(cmp);
    let start = 0;
    if (input.cursor) {
      const after = decodeCursor(input.cursor, input.sort);
      if (after) {
        // First row strictly after the cursor row in this order.
        const pivot = after as TaskRow;
        start = matches.findIndex((r) => cmp(r, pivot) > 0);
        if (start < 0) start = matches.length;
      }
    }
    const page = matches.slice(start, start + input.limit);
    const last = page[page.length - 1];
    const hasMore = start + input.limit < matches.length;
    return {
      items: page.map(toView),
      nextCursor: hasMore && last ? encodeCursor(input.sort, last) : null,
      total: matches.length,
    };
  }

  /** Tasks that hold or are about to hold a slot, per user and per account. */
  inFlight(): { byUser: Map<string, number>; byAccount: Map<string, number>; queued: number } {
    const byUser = new Map<string, number>();
    const byAccount = new Map<string, number>();
    let queued = 0;
    for (const row of this.liveRows()) {
      if (!IN_FLIGHT_STATUSES.includes(row.status)) continue;
      if (row.status === 'queued') queued++;
      byUser.set(row.userId, (byUser.get(row.userId) ?? 0) + 1);
      byAccount.set(row.accountId, (byAccount.get(row.accountId) ?? 0) + 1);
    }
    return { byUser, byAccount, queued };
  }

  /** A user's pending tasks that are due, best first: priority, then creation order. */
  duePending(userId: string, now: number): TaskRow[] {
    const out: TaskRow[] = [];
    for (const row of this.liveByUser.get(userId)?.values() ?? []) {
      if (row.status !== 'pending') continue;
      if (row.scheduledAt && Date.parse(row.scheduledAt) > now) continue;
      out.push(row);
    }
    return out.sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || compare(a.id, b.id));
  }

  private put(row: TaskRow): void {
    this.rows.set(row.id, row);
    let mine = this.byUser.get(row.userId);
    if (!mine) {
      mine = new Map();
      this.byUser.set(row.userId, mine);
    }
    mine.set(row.id, row);
  }

  private emit(row: TaskRow, e: StreamEvent | null): void {
    this.track(row);
    for (const fn of this.listeners) fn(row, e);
  }

  /** Keeps the live set in step with a row that changed (or left: then it is not in `rows`). */
  private track(row: TaskRow): void {
    const isLive = this.rows.get(row.id) === row && LIVE_STATUSES.includes(row.status);
    let mine = this.liveByUser.get(row.userId);
    if (isLive) {
      if (!mine) {
        mine = new Map();
        this.liveByUser.set(row.userId, mine);
      }
      mine.set(row.id, row);
    } else if (mine?.delete(row.id) && mine.size === 0) {
      this.liveByUser.delete(row.userId);
    }
  }
}

function applyEvent(row: TaskRow, e: StreamEvent): void {
  const wasStart = e.status === 'running' && e.stage === 'browser';
  row.status = e.status;
  row.progress = e.progress;
  row.stage = e.stage;
  row.attempt = e.attempt;
  row.v = e.v;
  row.updatedAt = e.at;
  row.lastEventId = e.id;
  if (wasStart) {
    row.startedAt = e.at;
    row.finishedAt = undefined;
    // Evidence belongs to the attempt that failed; a new attempt starts without any.
    row.evidence = undefined;
  }
  if (e.status === 'pending') {
    row.finishedAt = undefined;
    row.result = undefined;
  }
  if (e.task) row.scheduledAt = e.task.scheduledAt;
  if (e.error) row.error = e.error;
  if (e.result) row.result = e.result;
  if (e.evidence) row.evidence = e.evidence;
  if (e.status === 'success') row.error = undefined;
  if (['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status)) row.finishedAt = e.at;
}

export function toView(row: TaskRow): TaskView {
  return {
    id: row.id,
    accountId: row.accountId,
    platform: row.platform,
    title: row.title,
    topics: row.topics,
    priority: row.priority,
    scheduledAt: row.scheduledAt,
    batchId: row.batchId,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    attempt: row.attempt,
    v: row.v,
    error: row.error,
    result: row.result,
    evidence: row.evidence,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

type SortValue = string;
function sortKey(sort: NonNullable<ListTasksInput['sort']>): (r: TaskRow) => SortValue {
  switch (sort) {
    case 'updatedAt':
      return (r) => r.updatedAt;
    case 'status':
      return (r) => r.status;
    case 'title':
      return (r) => r.title;
    default:
      return (r) => r.createdAt;
  }
}

function compare(a: SortValue, b: SortValue): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The cursor carries the last row's sort value and id, so paging survives rows being added. */
function encodeCursor(sort: NonNullable<ListTasksInput['sort']>, row: TaskRow): string {
  return Buffer.from(JSON.stringify([sort, sortKey(sort)(row), row.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: NonNullable<ListTasksInput['sort']>): Pick<TaskRow, 'id' | 'createdAt' | 'updatedAt' | 'status' | 'title'> | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== sort || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'string') return null;
    const value = parsed[1];
    // Only the sorted field matters to the comparison; the others are placeholders.
    return { id: parsed[2], createdAt: value, updatedAt: value, status: value as TaskStatus, title: value };
  } catch {
    return null;
  }
}
