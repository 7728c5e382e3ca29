/**
 * Writes the events stream into MongoDB, in stream order, so the durable task documents and
 * timelines follow the live state in Redis. Only the leader projects; it remembers how far it got
 * in Redis, so a restart or a new leader continues where the last one stopped.
 *
 * Fences (docs/state.md): a task document only moves forward (each write is conditional on the
 * document holding an older version), a round is written only while this process's lease epoch
 * holds, and the checkpoint only moves forward and only under that lease. A stretch of the stream
 * that was trimmed before it was projected is detected (Redis's max-deleted-entry-id passed the
 * checkpoint) and repaired from the live states of the tasks it touched. A write refused because
 * Redis holds an *older* version than MongoDB (Redis lost writes: a restore, a failover) moves the
 * live version above MongoDB's, so every process and MongoDB follow the live state again.
 */
import { TERMINAL_STATUSES, eventIdFromStreamId, eventPatch, isPlainCreation, note } from '@zpub/shared';
import { StreamTail, VERSION_STRIDE, justBefore, readAfter, removedAmong, summaryOf, trimmedPast, type Logger, type Models, type RedisClient, type RedisKeys, type StreamEvent, type TaskStates } from '@zpub/shared/node';
import { Types } from 'mongoose';
import type { Pause } from './test-pause';

/** Events read from the stream per round; their writes are folded per task (see apply). */
const READ = 400;
/**
 * Statements per update command. FerretDB v1.24 keeps one SQLite connection open per statement of
 * an update command until the whole command ends, and its pool has 100: an update command with
 * 100 statements waits forever for a 101st. Commands stay far below that.
 */
const CHUNK = 40;
/**
 * Tasks stay in the `changed` set this long after the checkpoint passed their last change, so a
 * server whose stream follower stood still up to this long can still repair its rows from it.
 */
const CHANGED_KEEP_MS = 15 * 60_000;
/**
 * After a round that did not fill READ, the next one waits this long, whatever arrives meanwhile:
 * the hub wakes the projector on every event, and at a person's pace that made a round (a
 * timeline insert and a checkpoint write, each a FerretDB write that submissions queue behind)
 * for nearly every task. MongoDB follows a little later: lists, counts and subscriptions read
 * Redis, and a task's detail adds the events of the stream its timeline lacks (TaskService.byId).
 */
const GATHER_MS = 200;
/**
 * Events of the stream this process's follower read, held for the next rounds (StreamTail): a
 * round that finds its checkpoint there takes its events from memory, not from Redis again. It
 * never holds more than the stream keeps (ProjectorDeps.streamMaxLen): a projector further behind
 * reads the stream, as after a start, and finds a trimmed gap there as it always did.
 */
const TAIL_MAX = 5_000;

// KEYS: checkpoint, lease. ARGV: this process's lease, the new checkpoint (a sortable event id).
const CHECKPOINT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur and cur >= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

export interface ProjectorDeps {
  redis: RedisClient;
  keys: RedisKeys;
  models: Models;
  states: TaskStates;
  /** The lease this process holds now ('' when it does not lead), and whether Redis still has it. */
  lease: () => string;
  holds: (lease: string) => Promise<boolean>;
  /**
   * The store evaluates a filter beyond `{ _id }` by reading every document of the collection
   * (FerretDB v1: only `_id` equality reaches SQLite, where the launcher indexes it). Version
   * conditions are then checked by reading the version by `_id` just before a write by `_id`
   * (see writeForward); MongoDB takes them in the write's filter, atomically.
   */
  scansBeyondId: boolean;
  /** About how many events the stream keeps (EVENT_STREAM_MAXLEN). */
  streamMaxLen: number;
  /** A test hook between reading a round and writing it (test-pause.ts); a no-op otherwise. */
  pause: Pause;
  log: Logger;
}

export class Projector {
  private running: Promise<void> | null = null;
  private active = false;
  private wake: (() => void) | null = null;
  /** Whether an event wakes the current sleep (the idle one) or not (the gathering one). */
  private wakeOnKick = false;
  private readonly tail: StreamTail;
  lastProjected = '';
  /** Stretches of the stream found trimmed before they were projected, and tasks repaired from them. */
  gaps = 0;
  gapTasksRepaired = 0;
  /** Rounds dropped because the lease had moved on; tasks whose live version was moved above MongoDB's. */
  roundsDropped = 0;
  reversioned = 0;

  constructor(private readonly d: ProjectorDeps) {
    this.tail = new StreamTail(Math.min(TAIL_MAX, d.streamMaxLen));
  }

  setActive(active: boolean): void {
    this.active = active;
    if (!active) this.tail.clear();
    if (active) this.running ??= this.loop().finally(() => (this.running = null));
    this.wake?.();
  }

  kick(): void {
    if (this.wakeOnKick) this.wake?.();
  }

  /** A batch the follower read from the stream (Hub.onStreamRead), kept while this process projects. */
  streamRead(events: readonly StreamEvent[], span: { after: string; last: string }): void {
    if (this.active) this.tail.push(events, span);
  }

  async stop(): Promise<void> {
    this.setActive(false);
    await this.running;
  }

  private async loop(): Promise<void> {
    const { redis, keys, log } = this.d;
    while (this.active) {
      try {
        const lease = this.d.lease();
        if (!lease) break;
        let from = (await redis.get(keys.projectorCheckpoint)) ?? null;
        // What the follower read after the checkpoint is here already, and not trimmed by definition.
        let events = from ? this.tail.after(from, READ) : null;
        if (!events) {
          if (from) {
            const oldest = await trimmedPast(redis, keys.events, from);
            if (oldest) from = await this.repairGap(from, oldest, lease);
          }
          events = await readAfter(redis, keys.events, from, READ);
        }
        if (events.length === 0) {
          await this.sleep(1000, true);
          continue;
        }
        await this.d.pause('projector-write');
        if (!this.active || !(await this.d.holds(lease))) {
          this.roundsDropped++;
          log.warn({ events: events.length }, 'projection round dropped: this process no longer holds the lease');
          continue;
        }
        await this.apply(events, lease);
        const last = events[events.length - 1];
        if (last) await this.checkpoint(lease, last.id);
        if (events.length < READ) await this.sleep(GATHER_MS, false);
      } catch (err) {
        if (err instanceof LeaseLost) {
          this.roundsDropped++;
          log.warn('projection round stopped: this process no longer holds the lease');
          continue;
        }
        log.warn({ err: (err as Error).message }, 'projection to MongoDB failed; retrying');
        await this.sleep(1000, true);
      }
    }
  }

  /** Moves the checkpoint forward under this lease, and forgets changes long since projected. */
  private async checkpoint(lease: string, eventId: string): Promise<void> {
    const { redis, keys } = this.d;
    const moved = await redis.eval(CHECKPOINT, { keys: [keys.projectorCheckpoint, keys.leader], arguments: [lease, eventId] });
    if (Number(moved) !== 1) return;
    this.lastProjected = eventId;
    // MongoDB keeps it too: a Redis found behind it went back in time (a restored snapshot), and
    // its indexes lack what was created since (IndexRebuild).
    await this.d.models.ServerState.updateOne({ _id: PROJECTED }, { $set: { value: eventId, at: new Date() } }, { upsert: true });
    await redis.zRemRangeByScore(keys.changed, '-inf', Number(eventId.slice(0, 13)) - CHANGED_KEEP_MS);
  }

  /**
   * The events after `from` and before `oldest` are gone from the stream. Every task changed since
   * `from` is in the `changed` set with the time of its last change: its live state is written to
   * MongoDB (if newer than what MongoDB holds), and projection goes on from `oldest`.
   */
  private async repairGap(from: string, oldest: string, lease: string): Promise<string> {
    const { redis, keys, models, states, log } = this.d;
    this.gaps++;
    const sinceMs = Number(from.slice(0, 13));
    const ids = await redis.zRangeByScore(keys.changed, sinceMs, '+inf');
    log.warn({ checkpoint: from, oldestKept: oldest, tasks: ids.length }, 'the event stream was trimmed past the projection checkpoint; repairing from the live states');
    let repaired = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      if (!(await this.d.holds(lease))) throw new LeaseLost();
      const chunk = ids.slice(i, i + CHUNK);
      const [lives, scores, tombstones] = await Promise.all([
        Promise.all(chunk.map((id) => states.get(id))),
        Promise.all(chunk.map((id) => redis.zScore(keys.changed, id))),
        removedAmong(redis, keys, chunk),
      ]);
      const writes: Forward[] = [];
      const gone: { id: string; attempts: number }[] = [];
      for (const [j, id] of chunk.entries()) {
        const live = lives[j];
        if (!live) {
          if (tombstones[j]) gone.push({ id, attempts: (await models.Task.findById(id, { attempt: 1 }).lean())?.attempt ?? 0 });
          continue;
        }
        const at = new Date(scores[j] ?? Date.now());
        const set: Record<string, unknown> = {
          status: live.status,
          progress: live.progress,
          stage: live.stage,
          attempt: live.attempt,
          v: live.v,
          updatedAt: at,
          // The last event of that millisecond or earlier: later events sort after it.
          lastEventId: eventIdFromStreamId(`${at.getTime()}-999999`),
        };
        const unset: Record<string, ''> = {};
        if (live.error) set.error = JSON.parse(live.error) as unknown;
        else unset.error = '';
        if (live.result) set.result = JSON.parse(live.result) as unknown;
        else unset.result = '';
        if (live.submittedAt) set.submittedAt = new Date(Number(live.submittedAt));
        if (TERMINAL_STATUSES.includes(live.status)) set.finishedAt = at;
        else unset.finishedAt = '';
        writes.push({ id, v: live.v, update: { $set: set, $unset: unset } });
      }
      repaired += (await writeForward(models, writes, this.d.scansBeyondId, () => this.d.holds(lease))).modified;
      if (gone.length > 0) await deleteTaskDocs(models, gone);
    }
    this.gapTasksRepaired += repaired;
    log.warn({ tasks: ids.length, repaired }, 'gap in the event stream repaired from the live states');
    const resume = justBefore(oldest);
    await this.checkpoint(lease, resume);
    return resume;
  }

  /** Sleeps `ms`; an event ends it early only when `onKick` (stopping always does). */
  private sleep(ms: number, onKick: boolean): Promise<void> {
    this.wakeOnKick = onKick;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
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
   * first event here is its creation gets its timeline inserted, many per command. A plain
   * creation (isPlainCreation) is not written at all: the task document already says it, and a
   * task that is only created costs MongoDB nothing here.
   */
  private async apply(events: StreamEvent[], lease: string): Promise<void> {
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
        // Its document says all of it already; a later event of the round sets what changed.
        if (isPlainCreation(e)) continue;
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
      if (!isPlainCreation(e)) f.timeline.push(timelineEntry(e));
    }
    // A document only moves forward: the write applies while MongoDB holds an older version. A
    // task whose only event here is its creation is already saved as it is.
    const changes = [...folded].filter(([, f]) => Number(f.set.v) > 0);
    for (let i = 0; i < changes.length; i += CHUNK) {
      const chunk = changes.slice(i, i + CHUNK);
      const { refused } = await writeForward(
        this.d.models,
        chunk.map(([id, f]) => ({ id, v: Number(f.set.v), update: Object.keys(f.unset).length > 0 ? { $set: f.set, $unset: f.unset } : { $set: f.set } })),
        this.d.scansBeyondId,
        () => this.d.holds(lease),
      );
      if (refused.length > 0) await this.refused(chunk.filter(([id]) => refused.includes(id)));
    }

    const fresh = [...folded].filter(([, f]) => f.created && f.timeline.length > 0);
    const append = [...folded].filter(([, f]) => !f.created && f.timeline.length > 0);
    // Timelines this round brought into being (inserted, or created by an upsert).
    const made: string[] = [];
    if (fresh.length > 0) {
      try {
        await this.d.models.TaskTimeline.collection.insertMany(
          // The driver would store an absent field as null; leave it out as mongoose does.
          fresh.map(([id, f]) => ({ _id: new Types.ObjectId(id), events: f.timeline.map(defined) })),
          { ordered: false },
        );
        made.push(...fresh.map(([id]) => id));
      } catch (err) {
        // A round replayed after a crash finds some timelines there already: append to those
        // instead (the reader drops an event it sees twice).
        const dup = new Set(((err as { writeErrors?: { index: number; code?: number }[] }).writeErrors ?? []).filter((w) => w.code === 11000).map((w) => w.index));
        if (dup.size === 0) throw err;
        made.push(...fresh.filter((_, i) => !dup.has(i)).map(([id]) => id));
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
    for (let i = 0; i < timelineOps.length; i += CHUNK) {
      const res = await this.d.models.TaskTimeline.bulkWrite(timelineOps.slice(i, i + CHUNK), { ordered: true });
      made.push(...Object.values(res.upsertedIds).map(String));
    }
    const gone = [...removed].map(([id, attempts]) => ({ id, attempts }));
    // A remove deletes the documents at once; a round under way then may write a timeline after
    // that, which the round holding the removal deletes again. A round written after this process
    // lost the lease may come after that one: it asks Redis's tombstones itself.
    if (made.length > 0 && !(await this.d.holds(lease))) gone.push(...(await this.removedMeanwhile(made)));
    for (let i = 0; i < gone.length; i += CHUNK) await deleteTaskDocs(this.d.models, gone.slice(i, i + CHUNK));
  }

  /**
   * Tasks whose timeline this round created although they were removed: the remove deleted the
   * documents, the new leader's round deleted them again at the removal event, and this late write
   * landed after both. Redis's tombstone is set before anything is deleted. A timeline is created
   * once per task, so this asks about each task once.
   */
  private async removedMeanwhile(made: readonly string[]): Promise<{ id: string; attempts: number }[]> {
    // A task whose removal is in this round has no timeline written here: it is never in `made`.
    const tombstones = await removedAmong(this.d.redis, this.d.keys, made);
    // The remove deleted the evidence of every attempt; only the timeline can have come back.
    return made.filter((_, j) => tombstones[j]).map((id) => ({ id, attempts: 0 }));
  }

  /**
   * Writes of this round that MongoDB refused because it holds the same or a newer version. Most
   * are harmless (a round replayed after a crash, or a late one after a failover). But when the
   * refused event is newer than MongoDB's last one while Redis's live version is not ahead of
   * MongoDB's, Redis lost writes (a restore, a failover): its versions are issued a second time.
   * The live version then jumps above MongoDB's, and its event carries the live state everywhere.
   */
  private async refused(changes: [string, { set: Record<string, unknown> }][]): Promise<void> {
    const docs = await Promise.all(changes.map(([id]) => this.d.models.Task.findById(id).lean()));
    for (const [j, [id, f]] of changes.entries()) {
      const doc = docs[j];
      if (!doc || doc.v < Number(f.set.v)) continue;
      if (String(f.set.lastEventId) <= (doc.lastEventId ?? '')) continue;
      const live = await this.d.states.get(id);
      if (!live || live.v > doc.v) continue;
      const res = await this.d.states.reversion(id, live.v, doc.v + VERSION_STRIDE, note('reannounced'), summaryOf(doc));
      if (res.ok) {
        this.reversioned++;
        this.d.log.warn({ taskId: id, liveV: live.v, storedV: doc.v }, 'Redis held an older version than MongoDB; live version moved above it');
      }
    }
  }
}

/**
 * Writes task documents that hold an older version than the write's (a document only moves
 * forward), while `stillHolds` (the lease); returns how many changed, and the ids of those refused
 * (MongoDB holds the same or a newer version, or no document). On MongoDB the version is in each
 * write's filter. On a store that scans for such a filter (`scansBeyondId`) the versions are read
 * by `_id` first, the lease is checked again, and the writes name `_id` alone: FerretDB's own
 * conditional update is the same read, check and write, one round trip tighter, so this gives
 * away a round trip of window, not atomicity it had; and only the lease holder writes.
 */
export async function writeForward(models: Models, writes: readonly Forward[], scansBeyondId: boolean, stillHolds: () => Promise<boolean>): Promise<{ modified: number; refused: string[] }> {
  if (writes.length === 0) return { modified: 0, refused: [] };
  if (!scansBeyondId) {
    const res = await models.Task.bulkWrite(
      writes.map((w) => ({ updateOne: { filter: { _id: new Types.ObjectId(w.id), v: { $lt: w.v } }, update: w.update } })),
      { ordered: true },
    );
    // Which ones were refused is not in the answer: all are named, and the caller rereads them.
    return { modified: res.modifiedCount, refused: res.matchedCount < writes.length ? writes.map((w) => w.id) : [] };
  }
  const stored = await Promise.all(writes.map((w) => models.Task.findById(w.id, { v: 1 }).lean()));
  const refused = writes.filter((w, j) => (stored[j]?.v ?? Infinity) >= w.v).map((w) => w.id);
  const ahead = writes.filter((w) => !refused.includes(w.id));
  if (ahead.length === 0) return { modified: 0, refused };
  if (!(await stillHolds())) throw new LeaseLost();
  const res = await models.Task.bulkWrite(ahead.map((w) => ({ updateOne: { filter: { _id: new Types.ObjectId(w.id) }, update: w.update } })), { ordered: true });
  return { modified: res.modifiedCount, refused };
}

/** The lease moved to another process in the middle of a round: what is left of it is not written. */
export class LeaseLost extends Error {
  constructor() {
    super('this process no longer holds the lease');
  }
}

/** A write of a task document that applies only over an older version (writeForward). */
export interface Forward {
  id: string;
  v: number;
  update: { $set: Record<string, unknown>; $unset?: Record<string, ''> };
}

/** The `server_state` document holding how far the projection got. */
export const PROJECTED = 'projector';

/** Times of a row that MongoDB keeps as dates. */
const DATES = new Set(['updatedAt', 'startedAt', 'finishedAt', 'scheduledAt']);

/** The document update an event makes: the row's change (task-row.ts) plus what only MongoDB keeps. */
function taskUpdate(e: StreamEvent): { $set?: Record<string, unknown>; $unset?: Record<string, ''> } {
  const { set, unset } = eventPatch(e);
  const $set: Record<string, unknown> = { lastEventId: e.id };
  for (const [k, v] of Object.entries(set)) $set[k] = DATES.has(k) && typeof v === 'string' ? new Date(v) : v;
  if (set.evidence) $set.evidence = { ...set.evidence, at: new Date(set.evidence.at) };
  if (e.stage === 'submitted') $set.submittedAt = new Date(e.at);
  const $unset = Object.fromEntries(unset.map((k) => [k, ''] as const));
  return unset.length > 0 ? { $set, $unset } : { $set };
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
 * Deletes what MongoDB holds of removed tasks: the document, the body, the timeline, and the
 * evidence and claim of every attempt (their ids are `<task>:<attempt>`). Each delete names one
 * `_id`: FerretDB pushes only `_id` equality down, so `$in` would scan whole collections.
 */
export async function deleteTaskDocs(models: Models, tasks: readonly { id: string; attempts: number }[]): Promise<void> {
  if (tasks.length === 0) return;
  const ids = tasks.map((t) => new Types.ObjectId(t.id));
  const perAttempt = tasks.flatMap((t) => Array.from({ length: t.attempts }, (_, i) => `${t.id}:${i + 1}`));
  await Promise.all([
    deleteByIds(models.Task, ids),
    deleteByIds(models.TaskContent, ids),
    deleteByIds(models.TaskTimeline, ids),
    deleteByIds(models.Evidence, perAttempt),
    deleteByIds(models.TaskClaim, perAttempt),
  ]);
}

async function deleteByIds(model: Models[keyof Models], ids: readonly unknown[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    // Every model's `_id` is an ObjectId or a string; mongoose's per-model filter types do not unify.
    await (model as Models['Evidence']).bulkWrite(
      ids.slice(i, i + CHUNK).map((id) => ({ deleteOne: { filter: { _id: id as string } } })),
      { ordered: false },
    );
  }
}
