/**
 * Follows the events stream once per process and fans each event out: to the task index, to the
 * process's own listeners (dispatcher, projector), and to every live subscription of the event's
 * owner. Subscriptions resume from a `lastEventId` with no gap and no duplicate: they register
 * first, then read the backlog up to the position the hub had reached, then take live events.
 */
import { isEventId, note, noteText, type TaskEvent } from '@zpub/shared';
import {
  StreamFollower,
  firstEventId,
  lastEventId,
  readAfter,
  removedAmong,
  type Logger,
  type RedisClient,
  type RedisKeys,
  type StoredRow,
  type StreamEvent,
} from '@zpub/shared/node';
import type { LiveTasks } from './live-tasks';
import type { TaskLists } from './task-lists';
import type { TaskRows } from './task-rows';

/** A slow client may fall this far behind before it is dropped (it reconnects and resumes). */
const MAX_BUFFERED = 5000;

class Subscription {
  private buffer: StreamEvent[] = [];
  private wake: (() => void) | null = null;
  closed = false;
  overflowed = false;

  constructor(
    readonly userId: string,
    /** Every event after this position reaches the buffer. */
    readonly startPosition: string,
  ) {}

  push(e: StreamEvent): void {
    if (this.closed) return;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.overflowed = true;
      this.close();
      return;
    }
    this.buffer.push(e);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async next(): Promise<StreamEvent[] | null> {
    while (this.buffer.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
    const out = this.buffer;
    this.buffer = [];
    return out;
  }
}

export class Hub {
  private follower: StreamFollower | null = null;
  private readonly subs = new Map<string, Set<Subscription>>();
  private readonly listeners: ((events: StreamEvent[]) => void)[] = [];
  private readonly readers: ((events: StreamEvent[], span: { after: string; last: string }) => void)[] = [];
  private readonly streamKey: string;
  /** Stretches of the stream trimmed before this process read them, and rows repaired from them. */
  gaps = 0;
  gapRowsRepaired = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly blockingRedis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly index: LiveTasks,
    private readonly repairFrom: { rows: TaskRows; lists: TaskLists },
    private readonly log: Logger,
  ) {
    this.streamKey = keys.events;
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.subs.values()) n += set.size;
    return n;
  }

  /** Position of the last event handed out. */
  get position(): string {
    return this.follower?.lastEventId ?? '';
  }

  onEvents(fn: (events: StreamEvent[]) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Each batch exactly as read from the stream, with the stretch it covers, before it is handed
   * out; never the events a gap repair makes up (those are not in the stream).
   */
  onStreamRead(fn: (events: StreamEvent[], span: { after: string; last: string }) => void): void {
    this.readers.push(fn);
  }

  /** Starts following after `fromEventId` (events up to it are already in the index). */
  start(fromEventId: string | null): void {
    this.follower = new StreamFollower(
      this.blockingRedis,
      this.streamKey,
      fromEventId,
      (events, span) => {
        for (const fn of this.readers) fn(events, span);
        this.deliver(events);
      },
      this.log,
      (after, oldest) => this.repairGap(after, oldest),
    );
    this.follower.start();
  }

  async stop(): Promise<void> {
    for (const set of this.subs.values()) for (const s of set) s.close();
    this.subs.clear();
    await this.follower?.stop();
  }

  /** Events this process produced itself reach its index at once, before the stream echoes them. */
  applyLocal(e: StreamEvent): void {
    this.index.apply(e);
  }

  /**
   * This process stood still while the stream was trimmed past it: the events after `after` and
   * before `oldest` are gone. Every task changed since `after` (and every task this process holds
   * as live) gets an event carrying its state as Redis holds it now, so the live rows here and the
   * subscribers end with the current state of every task (a subscriber ignores one it has seen).
   */
  private async repairGap(after: string, oldest: string): Promise<void> {
    const { rows } = this.repairFrom;
    this.gaps++;
    const changed = await this.redis.zRangeByScore(this.keys.changed, Number(after.slice(0, 13)), '+inf');
    const ids = [...new Set([...changed, ...[...this.index.liveRows()].map((r) => r.id)])];
    this.log.warn({ position: after, oldestKept: oldest, tasks: ids.length }, 'the event stream was trimmed past this process; repairing its rows from the live states');
    const repaired: StreamEvent[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const [now, scores, tombstones] = await Promise.all([
        rows.get(chunk, 'repair'),
        Promise.all(chunk.map((id) => this.redis.zScore(this.keys.changed, id))),
        removedAmong(this.redis, this.keys, chunk),
      ]);
      chunk.forEach((id, j) => {
        // The last event of that millisecond or earlier, so real events after it still sort later.
        const eventId = `${String(scores[j] ?? Date.now()).padStart(13, '0')}-999999`;
        const row = now.get(id);
        const held = this.index.get(id);
        if (!row) {
          if (held && tombstones[j]) {
            repaired.push({ id: eventId, taskId: id, userId: held.userId, attempt: held.attempt, v: held.v + 1, status: held.status, progress: held.progress, stage: 'removed', removed: true, at: new Date().toISOString() });
          }
          return;
        }
        if (held && row.v <= held.v) return;
        repaired.push({ ...eventOfRow(row), id: eventId, note: note('repairedAfterGap'), message: noteText(note('repairedAfterGap')) });
      });
    }
    repaired.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.gapRowsRepaired += repaired.length;
    this.deliver(repaired);
    this.log.warn({ tasks: ids.length, repaired: repaired.length }, 'rows repaired after a gap in the event stream');
  }

  private deliver(events: StreamEvent[]): void {
    for (const e of events) {
      this.index.apply(e);
      const set = this.subs.get(e.userId);
      if (set) for (const s of set) s.push(e);
    }
    for (const fn of this.listeners) fn(events);
  }

  /**
   * The events of one user, after `lastEventId` when given, then live ones, until `signal` aborts
   * or the hub stops.
   */
  async *subscribe(userId: string, lastEventIdInput: string | null, signal: AbortSignal | undefined): AsyncGenerator<TaskEvent> {
    const sub = new Subscription(userId, this.position);
    let set = this.subs.get(userId);
    if (!set) {
      set = new Set();
      this.subs.set(userId, set);
    }
    set.add(sub);
    const onAbort = () => sub.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let last = lastEventIdInput && isEventId(lastEventIdInput) ? lastEventIdInput : null;
      if (last) {
        for await (const e of this.backlog(userId, last, sub.startPosition)) {
          if (signal?.aborted) return;
          last = e.id;
          yield e;
        }
      }
      for (;;) {
        const batch = await sub.next();
        if (!batch) break;
        for (const e of batch) {
          if (last && e.id <= last) continue;
          last = e.id;
          yield e;
        }
      }
      if (sub.overflowed) this.log.warn({ userId }, 'subscriber fell too far behind; dropped so it can resume');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      sub.close();
      set.delete(sub);
      if (set.size === 0) this.subs.delete(userId);
    }
  }

  /**
   * Events of `userId` in (after, until]. From the stream while it still holds them; if the
   * stream was trimmed past `after`, the rows that changed since then are sent as they are now,
   * so the client still ends with the current state of every task.
   */
  private async *backlog(userId: string, after: string, until: string): AsyncGenerator<StreamEvent> {
    if (until === '' || after >= until) return;
    const oldest = await firstEventId(this.redis, this.streamKey);
    if (oldest === null || oldest > after) {
      const changed = (await this.repairFrom.lists.changedBetween(userId, Number(after.slice(0, 13)), Number(until.slice(0, 13))))
        .filter((r) => r.lastEventId > after && r.lastEventId <= until)
        .sort((a, b) => (a.lastEventId < b.lastEventId ? -1 : 1));
      for (const r of changed) yield { ...eventOfRow(r), id: r.lastEventId };
      return;
    }
    let cursor = after;
    for (;;) {
      const chunk = await readAfter(this.redis, this.streamKey, cursor, 1000);
      if (chunk.length === 0) return;
      for (const e of chunk) {
        if (e.id > until) return;
        if (e.userId === userId) yield e;
      }
      const tail = chunk[chunk.length - 1];
      if (!tail) return;
      cursor = tail.id;
    }
  }

  static async currentPosition(redis: RedisClient, streamKey: string): Promise<string | null> {
    return lastEventId(redis, streamKey);
  }
}

/** An event that carries a row's whole state and summary (for a reader that missed its events). */
function eventOfRow(r: StoredRow): StreamEvent {
  return {
    id: r.lastEventId,
    taskId: r.id,
    userId: r.userId,
    attempt: r.attempt,
    v: r.v,
    status: r.status,
    progress: r.progress,
    stage: r.stage,
    error: r.error,
    result: r.result,
    evidence: r.evidence,
    at: r.updatedAt,
    task: {
      accountId: r.accountId,
      platform: r.platform,
      title: r.title,
      topics: r.topics,
      priority: r.priority,
      scheduledAt: r.scheduledAt,
      batchId: r.batchId,
      createdAt: r.createdAt,
    },
  };
}
