/**
 * `task.list` from the indexes the state scripts keep in Redis (task-state.ts): per account and
 * status, sorted sets by creation time (`c`), last change (`u`) and title (`t`). A page merges the
 * sets of the user's accounts (or the one asked for) and the statuses asked for, each read from
 * the cursor on, in one MULTI; its rows come from the tasks' hashes (MongoDB for old ones).
 *
 * Cost per page (n: the user's tasks, k: sets merged = accounts x statuses, L: the limit):
 * - every sort without a date range, any status and account filter: O(k (log n + L)); counts by
 *   ZCOUNT, O(k log n); a date range with the creation-time or status sort narrows the score range;
 * - a batch: its members (at most 500) are read and sorted in memory;
 * - a date range with the `updatedAt` or `title` sort walks that order and keeps rows created in
 *   the range, examining at most SCAN_MAX entries per call; a call that reaches that bound
 *   answers with the rows found so far and a cursor to go on from (a page may then be short).
 */
import { TASK_STATUSES, compareTasks, compareText, listTasksInput, type ListTasksInput, type TaskStatus, type TaskView } from '@zpub/shared';
import { viewOf, type RedisClient, type RedisKeys, type StoredRow } from '@zpub/shared/node';
import type { TaskRows } from './task-rows';

export interface ListPage {
  items: TaskView[];
  nextCursor: string | null;
  total: number;
  /** The indexes are being rebuilt from MongoDB: older tasks may be missing until it ends. */
  rebuilding?: true;
}

type Sort = NonNullable<ListTasksInput['sort']>;

/** The status sort orders statuses by name (what the SPA compares too). */
const STATUS_ORDER: readonly TaskStatus[] = [...TASK_STATUSES].sort();
const RANK = new Map(STATUS_ORDER.map((s, i) => [s, i]));

/** Entries a walk with a filter the indexes cannot apply examines per call, at most. */
export const SCAN_MAX = 20_000;
const SCAN_CHUNK = 500;

/** Where a row sits in a list's order: the group (status rank for the status sort), the sort value, the id. */
interface Key {
  rank: number;
  value: number | string;
  id: string;
}

interface Source {
  key: string;
  rank: number;
  accountId: string;
  status: TaskStatus;
}

interface Range {
  min: number;
  max: number;
}

function compareKey(a: Key, b: Key): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.value !== b.value) {
    if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value;
    return compareText(String(a.value), String(b.value));
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function keyOf(sort: Sort, row: TaskView): Key {
  switch (sort) {
    case 'updatedAt':
      return { rank: 0, value: Date.parse(row.updatedAt), id: row.id };
    case 'status':
      return { rank: RANK.get(row.status) ?? 0, value: Date.parse(row.createdAt), id: row.id };
    case 'title':
      return { rank: 0, value: row.title, id: row.id };
    default:
      return { rank: 0, value: Date.parse(row.createdAt), id: row.id };
  }
}

/** The cursor names the last row's place in the order, so paging survives rows being added. */
function encodeCursor(sort: Sort, k: Key): string {
  return Buffer.from(JSON.stringify([sort, k.rank, k.value, k.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: Sort): Key | null {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(p) || p[0] !== sort || typeof p[1] !== 'number' || typeof p[3] !== 'string') return null;
    const value: unknown = p[2];
    if (sort === 'title' ? typeof value !== 'string' : typeof value !== 'number' || !Number.isFinite(value)) return null;
    return { rank: p[1], value: value as number | string, id: p[3] };
  } catch {
    return null;
  }
}

/** A title set's member: the title (a NUL in it as NUL 1), NUL NUL, the id (as the scripts write it). */
function titleMember(title: string, id: string): string {
  return `${title.replaceAll('\0', '\0\x01')}\0\0${id}`;
}

function splitMember(member: string): { title: string; id: string } {
  const at = member.indexOf('\0\0');
  return { title: member.slice(0, at).replaceAll('\0\x01', '\0'), id: member.slice(at + 2) };
}

export class TaskLists {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly rows: TaskRows,
    /** How many entries a walk with a filter the indexes cannot apply examines per call. */
    private readonly scanMax = SCAN_MAX,
  ) {}

  /** Whether the indexes hold every task (not while a rebuild from MongoDB runs). */
  async complete(): Promise<boolean> {
    return (await this.redis.exists(this.keys.ix.ready)) === 1;
  }

  /** The accounts whose sets make up this user's list (only the user's own). */
  async accountsOf(userId: string, only?: string): Promise<string[]> {
    const key = this.keys.ix.userAccounts(userId);
    if (only) return (await this.redis.sIsMember(key, only)) ? [only] : [];
    return (await this.redis.sMembers(key)).sort();
  }

  async list(userId: string, raw: ListTasksInput): Promise<ListPage> {
    const input = listTasksInput.parse(raw);
    const statuses = input.status === undefined ? [...TASK_STATUSES] : [...new Set(Array.isArray(input.status) ? input.status : [input.status])];
    const range: Range | null =
      input.createdFrom || input.createdTo
        ? { min: input.createdFrom ? Date.parse(input.createdFrom) : -Infinity, max: input.createdTo ? Date.parse(input.createdTo) : Infinity }
        : null;
    const after = input.cursor ? decodeCursor(input.cursor, input.sort) : null;
    const [accounts, complete] = await Promise.all([this.accountsOf(userId, input.accountId), this.complete()]);
    const flag = complete ? {} : { rebuilding: true as const };
    if (accounts.length === 0) return { items: [], nextCursor: null, total: 0, ...flag };
    if (input.batchId) return { ...(await this.batchPage(userId, input.batchId, accounts, statuses, range, input.sort, input.order, after, input.limit)), ...flag };

    const kind = input.sort === 'updatedAt' ? 'u' : input.sort === 'title' ? 't' : 'c';
    const sources = (k: 'c' | 'u' | 't') =>
      accounts.flatMap((accountId) =>
        statuses.map((status) => ({ key: this.keys.ix.byAccount(accountId, k, status), rank: input.sort === 'status' ? (RANK.get(status) ?? 0) : 0, accountId, status })),
      );
    const counting = this.redis.multi();
    for (const s of sources('c')) counting.zCount(s.key, range ? range.min : '-inf', range ? range.max : '+inf');
    const total = ((await counting.exec()) as unknown[]).reduce<number>((a, b) => a + Number(b), 0);
    const dir = input.order === 'asc' ? 1 : -1;
    const walk = sources(kind);
    let keys: Key[];
    let next: Key | null;
    if (range && kind !== 'c') {
      ({ keys, next } = await this.scan(walk, kind, dir, after, input.limit, range));
    } else {
      const entries = await this.fetch(walk, kind, dir, after, input.limit + 1, kind === 'c' ? range : null);
      keys = entries.slice(0, input.limit);
      next = entries.length > input.limit ? (keys[keys.length - 1] ?? null) : null;
    }
    const rows = await this.rows.get(keys.map((k) => k.id));
    const items = keys.flatMap((k) => {
      const row = rows.get(k.id);
      return row && row.userId === userId ? [viewOf(row)] : [];
    });
    return { items, nextCursor: next ? encodeCursor(input.sort, next) : null, total, ...flag };
  }

  /**
   * Up to `count` entries after `after` in this order, merged over the sources, read in one MULTI
   * (one consistent moment: a task moving between two sets is in exactly one of them).
   */
  private async fetch(sources: Source[], kind: 'c' | 'u' | 't', dir: number, after: Key | null, count: number, range: Range | null): Promise<Key[]> {
    const asc = dir > 0;
    const multi = this.redis.multi();
    const plan: { source: Source; ties: Key | null }[] = [];
    const lo = range && Number.isFinite(range.min) ? String(range.min) : '-inf';
    const hi = range && Number.isFinite(range.max) ? String(range.max) : '+inf';
    for (const s of sources) {
      if (after && (asc ? s.rank < after.rank : s.rank > after.rank)) continue;
      const here = after && s.rank === after.rank ? after : null;
      if (kind === 't') {
        const start = here ? `(${titleMember(String(here.value), here.id)}` : asc ? '-' : '+';
        multi.zRange(s.key, start, asc ? '+' : '-', { BY: 'LEX', REV: !asc, LIMIT: { offset: 0, count } });
        plan.push({ source: s, ties: null });
        continue;
      }
      const start = here ? `(${here.value}` : asc ? lo : hi;
      multi.zRangeWithScores(s.key, start, asc ? hi : lo, { BY: 'SCORE', REV: !asc, LIMIT: { offset: 0, count } });
      plan.push({ source: s, ties: null });
      if (here) {
        // Rows with the cursor's own value come after it by id.
        multi.zRangeWithScores(s.key, String(here.value), String(here.value), { BY: 'SCORE' });
        plan.push({ source: s, ties: here });
      }
    }
    if (plan.length === 0) return [];
    const replies = (await multi.exec()) as unknown[];
    const out: Key[] = [];
    plan.forEach(({ source, ties }, i) => {
      const reply = replies[i];
      if (kind === 't') {
        for (const member of reply as string[]) {
          const { title, id } = splitMember(member);
          out.push({ rank: source.rank, value: title, id });
        }
        return;
      }
      for (const { value, score } of reply as { value: string; score: number }[]) {
        if (ties && (asc ? value <= ties.id : value >= ties.id)) continue;
        out.push({ rank: source.rank, value: score, id: value });
      }
    });
    out.sort((a, b) => dir * compareKey(a, b));
    return out.slice(0, count);
  }

  /**
   * Walks an order the date range cannot narrow (last change, title) and keeps the rows created in
   * the range, looking their creation time up in the creation-time sets. Stops at `limit` rows or
   * after SCAN_MAX entries; then the cursor goes on from the last entry examined.
   */
  private async scan(sources: Source[], kind: 'u' | 't', dir: number, after: Key | null, limit: number, range: Range): Promise<{ keys: Key[]; next: Key | null }> {
    const found: Key[] = [];
    let position = after;
    let examined = 0;
    for (;;) {
      const want = Math.min(SCAN_CHUNK, this.scanMax - examined);
      // The bound is reached: the next call goes on after the last entry examined.
      if (want <= 0) return { keys: found, next: position };
      const chunk = await this.fetchWithSource(sources, kind, dir, position, want);
      const created = await Promise.all(
        chunk.map(({ source, key }) => this.redis.zScore(this.keys.ix.byAccount(source.accountId, 'c', source.status), key.id)),
      );
      for (const [i, { key }] of chunk.entries()) {
        examined++;
        position = key;
        const at = created[i];
        if (at !== null && at !== undefined && at >= range.min && at <= range.max) found.push(key);
        if (found.length > limit) return { keys: found.slice(0, limit), next: found[limit - 1] ?? null };
      }
      if (chunk.length < want) return { keys: found, next: null };
    }
  }

  /** fetch, with each entry's source (the scan needs the account and status of each). */
  private async fetchWithSource(sources: Source[], kind: 'u' | 't', dir: number, after: Key | null, count: number): Promise<{ key: Key; source: Source }[]> {
    const per = await Promise.all(
      sources.map(async (s) => (await this.fetch([s], kind, dir, after, count, null)).map((key) => ({ key, source: s }))),
    );
    return per
      .flat()
      .sort((a, b) => dir * compareKey(a.key, b.key))
      .slice(0, count);
  }

  /**
   * The user's tasks whose last change falls in [fromMs, toMs], as they are now (a subscriber
   * resuming from a position the stream no longer holds). Costs the rows changed in that time.
   */
  async changedBetween(userId: string, fromMs: number, toMs: number): Promise<StoredRow[]> {
    const accounts = await this.accountsOf(userId);
    if (accounts.length === 0) return [];
    const multi = this.redis.multi();
    for (const a of accounts) for (const s of TASK_STATUSES) multi.zRange(this.keys.ix.byAccount(a, 'u', s), fromMs, toMs, { BY: 'SCORE' });
    const ids = ((await multi.exec()) as unknown as string[][]).flat();
    const rows = await this.rows.get(ids);
    return [...rows.values()].filter((r) => r.userId === userId);
  }

  /** A batch: its members (at most a few hundred) read, filtered and sorted in memory. */
  private async batchPage(
    userId: string,
    batchId: string,
    accounts: string[],
    statuses: TaskStatus[],
    range: Range | null,
    sort: Sort,
    order: 'asc' | 'desc',
    after: Key | null,
    limit: number,
  ): Promise<ListPage> {
    const ids = await this.redis.zRange(this.keys.ix.batch(batchId), 0, -1);
    const rows = await this.rows.get(ids);
    const wanted = new Set(accounts);
    const matches: StoredRow[] = [];
    for (const row of rows.values()) {
      if (row.userId !== userId || !wanted.has(row.accountId) || !statuses.includes(row.status)) continue;
      const created = Date.parse(row.createdAt);
      if (range && (created < range.min || created > range.max)) continue;
      matches.push(row);
    }
    matches.sort(compareTasks(sort, order));
    const dir = order === 'asc' ? 1 : -1;
    const start = after ? matches.findIndex((r) => dir * compareKey(keyOf(sort, r), after) > 0) : 0;
    const from = start < 0 ? matches.length : start;
    const page = matches.slice(from, from + limit);
    const last = page[page.length - 1];
    return {
      items: page.map(viewOf),
      nextCursor: last && from + limit < matches.length ? encodeCursor(sort, keyOf(sort, last)) : null,
      total: matches.length,
    };
  }
}
