/**
 * The tasks that have not ended (pending, queued, running), in memory: all the dispatcher, the
 * reconciler and pacing read. Loaded at start from Redis's set of live tasks, kept from the event
 * stream, and compared with that set again now and then (an event it missed, a task restored by an
 * index rebuild). Memory grows with live work, never with history; lists read Redis (task-lists.ts).
 */
import type { TaskEvent, TaskStatus } from '@zpub/shared';
import { IN_FLIGHT_STATUSES, PRIORITY_RANK, withEvent, rowFromEvent } from '@zpub/shared';
import { rowFromHash, type Logger, type RedisClient, type RedisKeys, type StoredRow, type TaskStates } from '@zpub/shared/node';

export type LiveRow = StoredRow;

const LIVE: readonly TaskStatus[] = ['pending', 'queued', 'running'];
const READ_CHUNK = 500;

type Listener = (row: LiveRow, event: TaskEvent | null) => void;

export class LiveTasks {
  private readonly rows = new Map<string, LiveRow>();
  private readonly byUser = new Map<string, Map<string, LiveRow>>();
  /**
   * Kept on every change, so a dispatcher pass costs what it picks from, not every live task:
   * tasks queued or running per user and per account, the queued ones, live tasks per account,
   * and each user's pending tasks in dispatch order (sorted again only after that user's pending
   * tasks changed).
   */
  private readonly flightByUser = new Map<string, number>();
  private readonly flightByAccount = new Map<string, number>();
  private queuedCount = 0;
  private readonly liveByAccount = new Map<string, number>();
  private readonly pendingByUser = new Map<string, Map<string, LiveRow>>();
  private readonly pendingSorted = new Map<string, LiveRow[]>();
  private readonly listeners: Listener[] = [];
  /** Tasks whose live event came without the summary to build a row: read from Redis. */
  private readonly loading = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** To read many live states' versions at once (`versions`). */
    private readonly states: TaskStates,
    /** The row of a task whose hash does not hold one (kept before rows were): from MongoDB. */
    private readonly fromStore: (id: string) => Promise<LiveRow | null>,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  get(id: string): LiveRow | undefined {
    return this.rows.get(id);
  }

  /** Called after every change of a row, and when a row leaves (its status is no longer live). */
  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Users with a task pending, queued or running. */
  liveUsers(): Iterable<string> {
    return this.byUser.keys();
  }

  /** Accounts with a task pending, queued or running. */
  liveAccounts(): Iterable<string> {
    return this.liveByAccount.keys();
  }

  *liveRows(): Iterable<LiveRow> {
    for (const mine of this.byUser.values()) yield* mine.values();
  }

  userRows(userId: string): Iterable<LiveRow> {
    return this.byUser.get(userId)?.values() ?? [];
  }

  /**
   * Compares the held rows with Redis (at start, and now and then to catch what an event missed).
   * A task held at the version Redis has costs two fields (HMGET status, v); only a task this
   * process does not hold, or holds at an older version, is read whole (a hash with its row is
   * about 2 kB: 25,000 pending tasks made some 50 MB of replies per interval).
   */
  async sync(): Promise<{ loaded: number; dropped: number }> {
    const ids = await this.redis.sMembers(this.keys.live);
    const listed = new Set(ids);
    let loaded = 0;
    let dropped = 0;
    // Rows not in the set have ended (or were removed); a task created after the set was read
    // is in it by now, so its hash decides.
    const absent = [...this.rows.keys()].filter((id) => !listed.has(id));
    // A listed task without a hash stays held: the reconciler restores it from MongoDB.
    for (const [all, listedHere] of [[ids, true], [absent, false]] as const) {
      for (let i = 0; i < all.length; i += READ_CHUNK) {
        const stale = await this.stale(all.slice(i, i + READ_CHUNK));
        const rows = await this.read(stale);
        stale.forEach((id, j) => {
          const row = rows[j];
          if (row) {
            if (this.take(row)) loaded++;
          } else if (!listedHere && this.drop(id)) dropped++;
        });
      }
    }
    return { loaded, dropped };
  }

  /** Of these tasks, those whose held row is missing, older than Redis's, or no longer live there. */
  private async stale(ids: string[]): Promise<string[]> {
    const held = ids.filter((id) => this.rows.has(id));
    const facts = await this.states.versions(held);
    return [
      ...ids.filter((id) => !this.rows.has(id)),
      ...held.filter((id, j) => {
        const f = facts[j];
        return !f || !LIVE.includes(f.status) || f.v > (this.rows.get(id)?.v ?? -1);
      }),
    ];
  }

  private async read(ids: string[]): Promise<(LiveRow | null)[]> {
    const hashes = await Promise.all(ids.map((id) => this.redis.hGetAll(this.keys.task(id))));
    return Promise.all(
      ids.map(async (id, j) => {
        const h = hashes[j] ?? {};
        const row = rowFromHash(id, h);
        if (row) return row;
        // A live state from before rows were kept in Redis: the document has the row.
        if (h.status && LIVE.includes(h.status as TaskStatus)) {
          const stored = await this.fromStore(id);
          return stored ? { ...stored, status: h.status as TaskStatus, v: Number(h.v ?? stored.v), attempt: Number(h.attempt ?? stored.attempt) } : null;
        }
        return null;
      }),
    );
  }

  /** A row read from Redis: kept if live and not older than what is held; returns whether it changed. */
  private take(row: LiveRow): boolean {
    const held = this.rows.get(row.id);
    if (held && held.v >= row.v) return false;
    if (!LIVE.includes(row.status)) return this.drop(row.id);
    this.put(row);
    this.emit(row, null);
    return true;
  }

  private drop(id: string): boolean {
    const row = this.rows.get(id);
    if (!row) return false;
    this.count(row, -1);
    this.rows.delete(id);
    const mine = this.byUser.get(row.userId);
    if (mine?.delete(id) && mine.size === 0) this.byUser.delete(row.userId);
    return true;
  }

  /** Adds (+1) or takes away (-1) a held row's share of the counts and the pending order. */
  private count(row: LiveRow, sign: 1 | -1): void {
    const bump = (map: Map<string, number>, key: string) => {
      const n = (map.get(key) ?? 0) + sign;
      if (n > 0) map.set(key, n);
      else map.delete(key);
    };
    bump(this.liveByAccount, row.accountId);
    if (IN_FLIGHT_STATUSES.includes(row.status)) {
      bump(this.flightByUser, row.userId);
      bump(this.flightByAccount, row.accountId);
      if (row.status === 'queued') this.queuedCount += sign;
    }
    if (row.status === 'pending') {
      let pending = this.pendingByUser.get(row.userId);
      if (sign > 0) {
        if (!pending) {
          pending = new Map();
          this.pendingByUser.set(row.userId, pending);
        }
        pending.set(row.id, row);
      } else if (pending?.delete(row.id) && pending.size === 0) {
        this.pendingByUser.delete(row.userId);
      }
      this.pendingSorted.delete(row.userId);
    }
  }

  /** Applies one event; returns the row when this process holds (or held until now) the task. */
  apply(e: TaskEvent): LiveRow | undefined {
    const held = this.rows.get(e.taskId);
    if (e.removed) {
      if (held && this.drop(e.taskId)) this.emit({ ...held, stage: 'removed' }, e);
      return held;
    }
    let next: LiveRow;
    if (held) {
      if (e.v <= held.v) return undefined;
      next = { ...withEvent(held, e), userId: held.userId, lastEventId: e.id };
    } else {
      if (!LIVE.includes(e.status)) return undefined;
      const built = rowFromEvent(e);
      if (!built) {
        // Moved back to live without its summary (a state restored elsewhere): read it.
        this.load(e.taskId);
        return undefined;
      }
      next = { ...built, userId: e.userId, lastEventId: e.id };
    }
    if (LIVE.includes(next.status)) this.put(next);
    else this.drop(next.id);
    this.emit(next, e);
    return next;
  }

  /** Reads a task's row from Redis again (its state was put back without an event). */
  refresh(id: string): void {
    this.load(id);
  }

  private load(id: string): void {
    if (this.loading.has(id)) return;
    this.loading.add(id);
    this.read([id])
      .then(([row]) => {
        if (row) this.take(row);
      })
      .catch((err: Error) => this.log.warn({ taskId: id, err: err.message }, 'could not read a live task'))
      .finally(() => this.loading.delete(id));
  }

  /** Tasks that hold or are about to hold a slot, per user and per account (copies: the caller may keep them). */
  inFlight(): { byUser: Map<string, number>; byAccount: Map<string, number>; queued: number } {
    return { byUser: new Map(this.flightByUser), byAccount: new Map(this.flightByAccount), queued: this.queuedCount };
  }

  /** A user's pending tasks that are due, best first: priority, then creation order. */
  *duePending(userId: string, now: number): Iterable<LiveRow> {
    let sorted = this.pendingSorted.get(userId);
    if (!sorted) {
      sorted = [...(this.pendingByUser.get(userId)?.values() ?? [])].sort(
        (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      this.pendingSorted.set(userId, sorted);
    }
    for (const row of sorted) {
      if (row.scheduledAt && Date.parse(row.scheduledAt) > now) continue;
      yield row;
    }
  }

  private put(row: LiveRow): void {
    const held = this.rows.get(row.id);
    if (held) this.count(held, -1);
    this.count(row, 1);
    this.rows.set(row.id, row);
    let mine = this.byUser.get(row.userId);
    if (!mine) {
      mine = new Map();
      this.byUser.set(row.userId, mine);
    }
    mine.set(row.id, row);
  }

  private emit(row: LiveRow, e: TaskEvent | null): void {
    for (const fn of this.listeners) fn(row, e);
  }
}
