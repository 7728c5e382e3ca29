/**
 * Writes the events stream into MongoDB, in stream order, so the durable task documents and
 * timelines follow the live state in Redis. Only the leader projects; it remembers how far it got
 * in Redis, so a restart or a new leader continues where the last one stopped.
 */
import { isTerminal } from '@zpub/shared';
import { readAfter, type Logger, type Models, type RedisClient, type StreamEvent } from '@zpub/shared/node';
import { Types } from 'mongoose';

/**
 * Events per MongoDB round trip. FerretDB v1.24 keeps one SQLite connection open per statement of
 * an update command until the whole command ends, and its pool has 100: an update command with
 * 100 statements waits forever for a 101st. Chunks stay far below that.
 */
const CHUNK = 40;

export class Projector {
  private running: Promise<void> | null = null;
  private active = false;
  private wake: (() => void) | null = null;
  lastProjected = '';

  constructor(
    private readonly redis: RedisClient,
    private readonly streamKey: string,
    private readonly checkpointKey: string,
    private readonly models: Models,
    private readonly log: Logger,
  ) {}

  setActive(active: boolean): void {
    this.active = active;
    if (active) this.running ??= this.loop().finally(() => (this.running = null));
    this.wake?.();
  }

  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.setActive(false);
    await this.running;
  }

  private async loop(): Promise<void> {
    while (this.active) {
      try {
        const from = (await this.redis.get(this.checkpointKey)) ?? null;
        const events = await readAfter(this.redis, this.streamKey, from, CHUNK);
        if (events.length === 0) {
          await this.sleep(1000);
          continue;
        }
        if (!this.active) break;
        await this.apply(events);
        const last = events[events.length - 1];
        if (last) {
          await this.redis.set(this.checkpointKey, last.id);
          this.lastProjected = last.id;
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'projection to MongoDB failed; retrying');
        await this.sleep(1000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private async apply(events: StreamEvent[]): Promise<void> {
    const taskOps = events.map((e) => ({ updateOne: { filter: { _id: new Types.ObjectId(e.taskId) }, update: taskUpdate(e) } }));
    const timelineOps = events.map((e) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(e.taskId) },
        update: { $push: { events: timelineEntry(e) } },
        upsert: true,
      },
    }));
    await this.models.Task.bulkWrite(taskOps, { ordered: true });
    await this.models.TaskTimeline.bulkWrite(timelineOps, { ordered: true });
  }
}

function taskUpdate(e: StreamEvent): Record<string, Record<string, unknown>> {
  const at = new Date(e.at);
  const set: Record<string, unknown> = {
    status: e.status,
    progress: e.progress,
    stage: e.stage,
    attempt: e.attempt,
    v: e.v,
    updatedAt: at,
    lastEventId: e.id,
  };
  const unset: Record<string, ''> = {};
  if (e.status === 'running' && e.stage === 'browser') {
    set.startedAt = at;
    unset.finishedAt = '';
    unset.evidence = '';
  }
  if (e.stage === 'submitted') set.submittedAt = at;
  if (e.error) set.error = e.error;
  if (e.result) set.result = e.result;
  if (e.evidence) set.evidence = { ...e.evidence, at: new Date(e.evidence.at) };
  if (e.status === 'success') unset.error = '';
  if (e.status === 'pending') {
    unset.finishedAt = '';
    unset.result = '';
  }
  if (isTerminal(e.status)) set.finishedAt = at;
  return Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
}

function timelineEntry(e: StreamEvent) {
  return {
    id: e.id,
    attempt: e.attempt,
    v: e.v,
    status: e.status,
    progress: e.progress,
    stage: e.stage,
    message: e.message,
    error: e.error,
    result: e.result,
    at: e.at,
  };
}
