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

/**
 * Follows the stream from a position with a blocking XREAD on its own connection and hands each
 * batch, in order, to `onEvents`. Survives Redis restarts: it resumes from the last id it saw.
 */
export class StreamFollower {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private position: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    fromEventId: string | null,
    private readonly onEvents: (events: StreamEvent[]) => void | Promise<void>,
    private readonly log: Logger,
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
    while (!this.stopped) {
      try {
        const res = (await this.redis.xRead({ key: this.key, id: this.position }, { BLOCK: 2000, COUNT: 500 })) as
          | { name: string; messages: RawEntry[] }[]
          | null;
        const messages = res?.[0]?.messages ?? [];
        if (messages.length === 0) continue;
        const last = messages[messages.length - 1];
        if (last) this.position = last.id;
        const events = messages.map(parseEntry).filter((e): e is StreamEvent => e !== null);
        if (events.length > 0) await this.onEvents(events);
      } catch (err) {
        if (this.stopped) break;
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
