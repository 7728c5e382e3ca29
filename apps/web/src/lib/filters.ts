/**
 * The task list's filters and sort, as they live in the URL query (so a reload keeps them) and
 * as the API takes them. Defaults are left out of the URL.
 */
import type { ListTasksInput, TaskStatus } from '@zpub/shared';
import { dayBoundary, toIsoWithOffset } from './datetime';

export const STATUSES: readonly TaskStatus[] = ['pending', 'queued', 'running', 'success', 'failed', 'cancelled', 'unconfirmed'];
export const SORTS = ['createdAt', 'updatedAt', 'status', 'title'] as const;
export type SortKey = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface TaskFilters {
  /** Empty: every status. */
  status: TaskStatus[];
  batchId: string;
  accountId: string;
  /** `yyyy-mm-dd` (a local day) or empty. */
  createdFrom: string;
  createdTo: string;
  sort: SortKey;
  order: SortOrder;
}

export const DEFAULT_FILTERS: TaskFilters = {
  status: [],
  batchId: '',
  accountId: '',
  createdFrom: '',
  createdTo: '',
  sort: 'createdAt',
  order: 'desc',
};

const ID = /^[a-f0-9]{24}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export type Query = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

/** Reads the filters from a URL query; anything unknown or malformed falls back to the default. */
export function filtersFromQuery(q: Query): TaskFilters {
  const statusText = Array.isArray(q.status) ? q.status.join(',') : (q.status ?? '');
  const status = STATUSES.filter((s) => statusText.split(',').map((x) => x.trim()).includes(s));
  const sort = first(q.sort);
  const order = first(q.order);
  const batchId = first(q.batch);
  const accountId = first(q.account);
  const from = first(q.from);
  const to = first(q.to);
  return {
    status,
    batchId: ID.test(batchId) ? batchId : '',
    accountId: ID.test(accountId) ? accountId : '',
    createdFrom: DAY.test(from) && dayBoundary(from, false) ? from : '',
    createdTo: DAY.test(to) && dayBoundary(to, true) ? to : '',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as SortKey) : DEFAULT_FILTERS.sort,
    order: order === 'asc' || order === 'desc' ? order : DEFAULT_FILTERS.order,
  };
}

/** The query that stands for the filters; a key is undefined when its value is the default. */
export function filtersToQuery(f: TaskFilters): Record<string, string | undefined> {
  return {
    status: f.status.length > 0 ? STATUSES.filter((s) => f.status.includes(s)).join(',') : undefined,
    batch: f.batchId || undefined,
    account: f.accountId || undefined,
    from: f.createdFrom || undefined,
    to: f.createdTo || undefined,
    sort: f.sort !== DEFAULT_FILTERS.sort ? f.sort : undefined,
    order: f.order !== DEFAULT_FILTERS.order ? f.order : undefined,
  };
}

export function sameFilters(a: TaskFilters, b: TaskFilters): boolean {
  return JSON.stringify(filtersToQuery(a)) === JSON.stringify(filtersToQuery(b));
}

/** How many of the filters narrow the list (statuses count as one); the sort is not a filter. */
export function activeFilters(f: TaskFilters): number {
  return [f.status.length > 0, f.batchId !== '', f.accountId !== '', f.createdFrom !== '', f.createdTo !== ''].filter(Boolean).length;
}

export function hasFilters(f: TaskFilters): boolean {
  return activeFilters(f) > 0;
}

/** Instants of the created-date range, as the list input and the live matching both use them. */
function range(f: TaskFilters): { from: Date | null; to: Date | null } {
  return {
    from: f.createdFrom ? dayBoundary(f.createdFrom, false) : null,
    to: f.createdTo ? dayBoundary(f.createdTo, true) : null,
  };
}

/** The `task.list` input for a page of these filters. */
export function listInput(f: TaskFilters, cursor: string | null, limit: number): ListTasksInput {
  const { from, to } = range(f);
  const input: ListTasksInput = { sort: f.sort, order: f.order, limit };
  if (f.status.length === 1) input.status = f.status[0];
  else if (f.status.length > 1) input.status = [...f.status];
  if (f.batchId) input.batchId = f.batchId;
  if (f.accountId) input.accountId = f.accountId;
  if (from) input.createdFrom = toIsoWithOffset(from);
  if (to) input.createdTo = toIsoWithOffset(to);
  if (cursor) input.cursor = cursor;
  return input;
}

/** Whether a row belongs in the list these filters describe (the server's rules, client-side). */
export function matchesFilters(
  row: { status: TaskStatus; batchId?: string | undefined; accountId: string; createdAt: string },
  f: TaskFilters,
): boolean {
  if (f.status.length > 0 && !f.status.includes(row.status)) return false;
  if (f.batchId && row.batchId !== f.batchId) return false;
  if (f.accountId && row.accountId !== f.accountId) return false;
  const { from, to } = range(f);
  const created = Date.parse(row.createdAt);
  if (from && created < from.getTime()) return false;
  if (to && created > to.getTime()) return false;
  return true;
}
