/**
 * A task's row (what lists show) as Redis keeps it in the task's hash (task-state.ts) or, once an
 * ended task's hash has expired, as MongoDB keeps it. Both give the same TaskView.
 */
import type { TaskView } from '../api';
import { eventIdFromStreamId, type Stage } from '../events';
import type { Platform, Priority, TaskStatus } from '../task';
import { storedFields, type StoredTask } from './task-state';

/** A row with what the server needs beside it: the owner, and the id of the row's last event. */
export interface StoredRow extends TaskView {
  userId: string;
  lastEventId: string;
}

function json<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : undefined);

/**
 * The row a task's hash holds, or null when it holds none: no such task, a tombstone (removed),
 * or a live state kept before rows were (then MongoDB has the row).
 */
export function rowFromHash(id: string, h: Record<string, string>): StoredRow | null {
  if (!h.status || !h.createdAt || h.title === undefined) return null;
  const row: StoredRow = {
    id,
    userId: h.userId ?? '',
    accountId: h.accountId ?? '',
    platform: (h.platform ?? 'sandbox') as Platform,
    title: h.title,
    topics: json<string[]>(h.topics) ?? [],
    priority: (h.priority ?? 'normal') as Priority,
    scheduledAt: h.scheduledAt || undefined,
    batchId: h.batchId || undefined,
    status: h.status as TaskStatus,
    progress: Number(h.progress ?? 0),
    stage: (h.stage ?? 'created') as Stage,
    attempt: Number(h.attempt ?? 0),
    v: Number(h.v ?? 0),
    error: json(h.error),
    result: json(h.result),
    evidence: json(h.evidence),
    createdAt: iso(h.createdAt) ?? '',
    updatedAt: iso(h.updatedAt) ?? iso(h.createdAt) ?? '',
    startedAt: iso(h.startedAt),
    finishedAt: iso(h.finishedAt),
    lastEventId: h.lastEventId ? eventIdFromStreamId(h.lastEventId) : '',
  };
  for (const k of Object.keys(row) as (keyof StoredRow)[]) if (row[k] === undefined) delete row[k];
  return row;
}

/** The row a task document describes (through the same fields a hash holds, so both agree). */
export function rowFromDoc(doc: StoredTask): StoredRow {
  const row = rowFromHash(doc._id.toString(), storedFields(doc, 0));
  if (!row) throw new Error(`task ${doc._id.toString()} has no row`);
  return row;
}

/** The fields of a row that a TaskView carries (without the owner and the last event id). */
export function viewOf(row: StoredRow): TaskView {
  const { userId: _userId, lastEventId: _lastEventId, ...view } = row;
  return view;
}
