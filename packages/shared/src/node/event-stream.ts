/**
 * Reading the `events` stream: the ordered log of every task change. Ids are Redis stream ids;
 * outside Redis they travel zero-padded (see eventIdFromStreamId) so string order is time order.
 */
import { eventIdFromStreamId, streamIdFromEventId, type TaskEvent } from '../events';
import type { Logger } from './logger';
import type { RedisClient } from './redis';
/** A task event as the stream carries it (the same shape the subscription yields). */
export type StreamEvent = TaskEvent;

interface RawEntry {
  id: string;
  message: Record<string, string>;
}

export function parseEntry(entry: RawEntry): StreamEvent | null {
  const json = entry.message.e;
  if (!json) return null;
  try {
    const data = JSON.parse(json) as Omit<StreamEvent, 'id'>;
    return { ...data, id: eventIdFromStreamId(entry.id) };
  } catch {
    return null;
  }
}

/** Events strictly after `afterEventId` (or from the start), oldest first, at most `count`. */
export async function readAfter(redis: RedisClient, key: string, afterEventId: string | null, count: number): Promise<StreamEvent[]> {
  const start = afterEventId ? `(${streamIdFromEventId(afterEventId) ?? '0-0'}` : '-';
  const entries = (await redis.xRange(key, start, '+', { COUNT: count })) as RawEntry[];
  return entries.map(parseEntry).filter((e): e is StreamEvent => e !== null);
}

/** The id of the newest event, or null when the stream is empty. */
export async function lastEventId(redis: RedisClient, key: string): Promise<string | null> {
  const entries = (await redis.xRevRange(key, '+', '-', { COUNT: 1 })) as RawEntry[];
  const first = entries[0];
  return first ? eventIdFromStreamId(first.id) : null;
}

/** The id of the oldest event still kept, or null when the stream is empty. */
export async function firstEventId(redis: RedisClient, key: string): Promise<string | null> {
  const entries = (await redis.xRange(key, '-', '+', { COUNT: 1 })) as RawEntry[];
  const first = entries[0];
  return first ? eventIdFromStreamId(first.id) : null;
}

/** The sortable event id just before `id` (events are read strictly after a position). */
export function justBefore(id: string): string {
  const ms = Number(id.slice(0, 13));
  const seq = Number(id.slice(14));
  return seq > 0 ? eventIdFromStreamId(`${ms}-${seq - 1}`) : eventIdFromStreamId(`${ms - 1}-999999`);
}

/**
 * Whether the stream lost events after `position` before a reader got them: Redis trims from the
 * oldest end, so while the position's own entry is still there nothing after it is gone. When it
 * is gone, the oldest entry kept is returned (everything between was trimmed, or at worst nothing
 * was, and a repair rewrites what was already right). Redis 7's `max-deleted-entry-id` cannot
 * tell: `MAXLEN` trimming does not move it.
 */
export async function trimmedPast(redis: RedisClient, key: string, position: string): Promise<string | null> {
  const at = await readAfter(redis, key, justBefore(position), 1);
  if (at[0]?.id === position) return null;
  const oldest = await firstEventId(redis, key);
  return oldest !== null && oldest > position ? oldest : null;
}

/** Entries per read; a full read means the follower is behind, and may have been trimmed past. */
const FOLLOW_COUNT = 500;
/** A read answered this long after the previous one means the process stood still (or Redis did). */
const STALL_MS = 5000;

/**
 * Follows the stream from a position with a blocking XREAD on its own connection and hands each
 * batch, in order, to `onEvents`. Survives Redis restarts: it resumes from the last id it saw.
 * When it may have fallen behind (a full read, an error, a long pause) it checks that the stream
 * still holds its position; if not, `onGap` repairs what was trimmed, and it goes on from the
 * oldest entry kept.
 */
export class StreamFollower {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private position: string;
  private suspect = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    fromEventId: string | null,
    /** Each batch, and the position it follows (every entry after `after` up to `last` was read). */
    private readonly onEvents: (events: StreamEvent[], span: { after: string; last: string }) => void | Promise<void>,
    private readonly log: Logger,
    private readonly onGap?: (after: string, oldest: string) => Promise<void>,
  ) {
    this.position = fromEventId ? (streamIdFromEventId(fromEventId) ?? '0-0') : '0-0';
  }

  /** Position as an event id: every event up to it has been handed over. */
  get lastEventId(): string {
    return eventIdFromStreamId(this.position);
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let lastRead = Date.now();
    while (!this.stopped) {
      try {
        if (this.suspect && this.onGap && this.position !== '0-0') {
          this.suspect = false;
          const oldest = await trimmedPast(this.redis, this.key, this.lastEventId);
          if (oldest) {
            await this.onGap(this.lastEventId, oldest);
            this.position = streamIdFromEventId(justBefore(oldest)) ?? this.position;
          }
        }
        const res = (await this.redis.xRead({ key: this.key, id: this.position }, { BLOCK: 2000, COUNT: FOLLOW_COUNT })) as
          | { name: string; messages: RawEntry[] }[]
          | null;
        const now = Date.now();
        if (now - lastRead > STALL_MS) this.suspect = true;
        lastRead = now;
        const messages = res?.[0]?.messages ?? [];
        if (messages.length >= FOLLOW_COUNT) this.suspect = true;
        if (messages.length === 0) continue;
        const after = this.position;
        const last = messages[messages.length - 1];
        if (last) this.position = last.id;
        const events = messages.map(parseEntry).filter((e): e is StreamEvent => e !== null);
        if (events.length > 0) await this.onEvents(events, { after: eventIdFromStreamId(after), last: eventIdFromStreamId(this.position) });
      } catch (err) {
        if (this.stopped) break;
        this.suspect = true;
        this.log.warn({ err: (err as Error).message }, 'event stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.catch(() => undefined);
  }
}

/**
 * The newest stretch of the stream as one process's follower read it, kept so that another reader
 * in the same process (the projector) takes events from memory instead of reading and parsing them
 * from Redis again. It holds every event after `from` up to `last`, oldest first, at most `max`
 * (the oldest go first); a batch that does not continue where the last one ended (a repaired gap,
 * a malformed entry skipped) starts it again from that batch.
 */
export class StreamTail {
  private from: string | null = null;
  private last: string | null = null;
  private events: StreamEvent[] = [];

  constructor(private readonly max: number) {}

  get size(): number {
    return this.events.length;
  }

  push(events: readonly StreamEvent[], span: { after: string; last: string }): void {
    if (this.last !== span.after) {
      this.from = span.after;
      this.events = [];
    }
    this.events.push(...events);
    this.last = span.last;
    const over = this.events.length - this.max;
    if (over > 0) {
      this.from = this.events[over - 1]?.id ?? this.from;
      this.events = this.events.slice(over);
    }
  }

  /**
   * Up to `count` events strictly after `position`, oldest first, when this tail holds all of them
   * that the follower has read; null when it does not reach back to `position`, or has nothing
   * after it (the caller reads the stream then). Events at or before `position` are let go.
   */
  after(position: string, count: number): StreamEvent[] | null {
    if (this.from === null || this.last === null || position < this.from || position >= this.last) return null;
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid]?.id ?? '') <= position) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) {
      this.events = this.events.slice(lo);
      this.from = position;
    }
    return this.events.length > 0 ? this.events.slice(0, count) : null;
  }

  clear(): void {
    this.from = null;
    this.last = null;
    this.events = [];
  }
}
