/**
 * The task list as an ordered window of ids: the pages loaded so far (a prefix of the server's
 * order), kept in order as rows change live. Comparisons match the server's, so a row placed
 * here sits where the server's next page would have put it.
 */
import { compareTasks, type Stage, type TaskEvent, type TaskStatus, type TaskView } from '@zpub/shared';
import { matchesFilters, type TaskFilters } from './filters';

export interface ListWindow {
  ids: string[];
  total: number;
  /** True when the server has no further page (every matching row is loaded). */
  complete: boolean;
}

type SortValue = string;

function sortValue(f: TaskFilters, r: TaskView): SortValue {
  switch (f.sort) {
    case 'updatedAt':
      return r.updatedAt;
    case 'status':
      return r.status;
    case 'title':
      return r.title;
    default:
      return r.createdAt;
  }
}

/** The server's order (@zpub/shared, compareTasks): the sort value, then creation time or id. */
export function compareRows(f: TaskFilters): (a: TaskView, b: TaskView) => number {
  return compareTasks(f.sort, f.order);
}

/** The first stage of each status: an event at one of these is a task entering that status. */
const ENTRY_STAGES: Record<TaskStatus, readonly Stage[]> = {
  pending: ['created', 'scheduled'],
  queued: ['queued', 'requeued', 'retrying'],
  running: ['browser'],
  success: ['verified', 'updated', 'drafted', 'duplicate'],
  failed: ['failed'],
  cancelled: ['cancelled'],
  unconfirmed: ['unconfirmed'],
};

export function entersStatus(e: Pick<TaskEvent, 'status' | 'stage'>): boolean {
  return ENTRY_STAGES[e.status].includes(e.stage);
}

/**
 * Whether an event of a task the store does not hold could put that task into this list.
 * Rows beyond the loaded pages stay there unless their place or their membership changes.
 */
export function couldShow(e: TaskEvent, f: TaskFilters, complete: boolean): boolean {
  if (f.status.length > 0 && !f.status.includes(e.status)) return false;
  if (f.sort === 'updatedAt') return f.order === 'desc' || complete;
  return entersStatus(e) && (f.status.length > 0 || f.sort === 'status');
}

/** Index at which `row` belongs among `ids` (binary search; every id must resolve to a row). */
export function insertionIndex(ids: readonly string[], row: TaskView, rowOf: (id: string) => TaskView | undefined, f: TaskFilters): number {
  const cmp = compareRows(f);
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = rowOf(ids[mid] ?? '');
    if (other && cmp(other, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows of a new page appended to the window (ids already there are not repeated). */
export function appendPage(win: ListWindow, pageIds: readonly string[], total: number, complete: boolean): ListWindow {
  const seen = new Set(win.ids);
  const ids = [...win.ids];
  for (const id of pageIds) {
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return { ids, total, complete };
}

/**
 * The window after one row changed (`before` is undefined when the row is new to the store;
 * `event` is what changed it, null for a snapshot). Returns the same window when nothing moves.
 */
export function placeRow(
  win: ListWindow,
  change: { row: TaskView; before: TaskView | undefined; event: TaskEvent | null; removed?: true },
  rowOf: (id: string) => TaskView | undefined,
  f: TaskFilters,
): ListWindow {
  const { row, before, event } = change;
  const idx = win.ids.indexOf(row.id);
  if (change.removed) {
    const counted = before ? matchesFilters(before, f) : idx >= 0;
    if (idx < 0 && !counted) return win;
    return { ids: idx >= 0 ? win.ids.filter((id) => id !== row.id) : win.ids, total: Math.max(0, win.total - (counted ? 1 : 0)), complete: win.complete };
  }
  const now = matchesFilters(row, f);
  let was: boolean;
  if (before) was = matchesFilters(before, f);
  else if (!event) was = idx >= 0 || now; // a snapshot of a row the server already counted
  else if (event.v === 0 && event.task) was = false; // created just now
  else was = !(f.status.length > 0 && entersStatus(event)); // fetched because it entered the filter
  const total = Math.max(0, win.total + (now ? 1 : 0) - (was ? 1 : 0));

  if (idx >= 0 && now && before && sortValue(f, before) === sortValue(f, row)) {
    return total === win.total ? win : { ...win, total };
  }
  const ids = idx >= 0 ? win.ids.filter((id) => id !== row.id) : [...win.ids];
  if (now) {
    const at = insertionIndex(ids, row, rowOf, f);
    // Past the last loaded row the server's next page will bring it, in its place.
    if (at < ids.length || win.complete) ids.splice(at, 0, row.id);
  }
  if (idx < 0 && ids.length === win.ids.length && total === win.total) return win;
  return { ids, total, complete: win.complete };
}
