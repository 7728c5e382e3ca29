/**
 * Writes the events stream into MongoDB, in stream order, so the durable task documents and
 * timelines follow the live state in Redis. Only the leader projects; it remembers how far it got
 * in Redis, so a restart or a new leader continues where the last one stopped.
 */
import { isTerminal } from '@zpub/shared';
import { readAfter, type Logger, type Models, type RedisClient, type StreamEvent } from '@zpub/shared/node';
import { Types } from 'mongoose';

/** Events read from the stream per round; their writes are folded per task (see apply). */
const READ = 400;
/**
 * Statements per update command. FerretDB v1.24 keeps one SQLite connection open per statement of
 * an update command until the whole command ends, and its pool has 100: an update command with
 * 100 statements waits forever for a 101st. Commands stay far below that.
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
        const events = await readAfter(this.redis, this.streamKey, from, READ);
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

  /**
   * Writes a round of events with as few statements as it can: every statement costs FerretDB a
   * lookup, a documents are cheap in bulk. A task's events in the round fold into one update of
   * its document (later fields win, in stream order) and one append to its timeline; a task whose
   * first event here is its creation gets its timeline inserted, many per command.
   */
  private async apply(events: StreamEvent[]): Promise<void> {
    // A removed task's documents go; whatever else this round held for it does not matter.
    const removed = new Map<string, number>();
    for (const e of events) if (e.removed) removed.set(e.taskId, e.attempt);
    if (removed.size > 0) events = events.filter((e) => !removed.has(e.taskId));
    const folded = new Map<string, { set: Record<string, unknown>; unset: Record<string, ''>; timeline: ReturnType<typeof timelineEntry>[]; created: boolean }>();
    for (const e of events) {
      let f = folded.get(e.taskId);
      if (!f) {
        f = { set: {}, unset: {}, timeline: [], created: e.v === 0 };
        folded.set(e.taskId, f);
      }
      const u = taskUpdate(e);
      for (const [k, v] of Object.entries(u.$set ?? {})) {
        f.set[k] = v;
        delete f.unset[k];
      }
      for (const k of Object.keys(u.$unset ?? {})) {
        delete f.set[k];
        f.unset[k] = '';
      }
      f.timeline.push(timelineEntry(e));
    }
    const taskOps = [...folded].map(([id, f]) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(id) },
        update: Object.keys(f.unset).length > 0 ? { $set: f.set, $unset: f.unset } : { $set: f.set },
      },
    }));
    for (let i = 0; i < taskOps.length; i += CHUNK) await this.models.Task.bulkWrite(taskOps.slice(i, i + CHUNK), { ordered: true });

    const fresh = [...folded].filter(([, f]) => f.created);
    const append = [...folded].filter(([, f]) => !f.created);
    if (fresh.length > 0) {
      try {
        await this.models.TaskTimeline.collection.insertMany(
          // The driver would store an absent field as null; leave it out as mongoose does.
          fresh.map(([id, f]) => ({ _id: new Types.ObjectId(id), events: f.timeline.map(defined) })),
          { ordered: false },
        );
      } catch (err) {
        // A round replayed after a crash finds some timelines there already: append to those
        // instead (the reader drops an event it sees twice).
        const dup = new Set(((err as { writeErrors?: { index: number; code?: number }[] }).writeErrors ?? []).filter((w) => w.code === 11000).map((w) => w.index));
        if (dup.size === 0) throw err;
        append.push(...fresh.filter((_, i) => dup.has(i)));
      }
    }
    const timelineOps = append.map(([id, f]) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(id) },
        update: { $push: { events: { $each: f.timeline } } },
        upsert: true,
      },
    }));
    for (let i = 0; i < timelineOps.length; i += CHUNK) await this.models.TaskTimeline.bulkWrite(timelineOps.slice(i, i + CHUNK), { ordered: true });
    const gone = [...removed].map(([id, attempts]) => ({ id, attempts }));
    for (let i = 0; i < gone.length; i += CHUNK) await deleteTaskDocs(this.models, gone.slice(i, i + CHUNK));
  }
}

function taskUpdate(e: StreamEvent): { $set?: Record<string, unknown>; $unset?: Record<string, ''> } {
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
    note: e.note,
    message: e.message,
    error: e.error,
    result: e.result,
    at: e.at,
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Deletes what MongoDB holds of removed tasks: the document, the body, the timeline and the
 * evidence of every attempt (evidence ids are `<task>:<attempt>`; FerretDB only looks up by _id).
 */
export async function deleteTaskDocs(models: Models, tasks: readonly { id: string; attempts: number }[]): Promise<void> {
  if (tasks.length === 0) return;
  const ids = tasks.map((t) => new Types.ObjectId(t.id));
  const evidence = tasks.flatMap((t) => Array.from({ length: t.attempts }, (_, i) => `${t.id}:${i + 1}`));
  await Promise.all([
    models.Task.deleteMany({ _id: { $in: ids } }),
    models.TaskContent.deleteMany({ _id: { $in: ids } }),
    models.TaskTimeline.deleteMany({ _id: { $in: ids } }),
    evidence.length > 0 ? models.Evidence.deleteMany({ _id: { $in: evidence } }) : Promise.resolve(),
  ]);
}
