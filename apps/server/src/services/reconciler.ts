/**
 * Repairs tasks whose MongoDB record, Redis state and queue disagree after a crash or an outage:
 * saved but never registered, queued without a job, running on a worker that is gone. Only the
 * leader runs it; every repair is a compare-and-set, so it cannot fight a live worker.
 */
import { note, noteText, type Note } from '@zpub/shared';
import { VERSION_STRIDE, type Logger, type Models, type RedisClient, type RedisKeys, type TaskStates } from '@zpub/shared/node';
import type BeeQueue from 'bee-queue';
import type { LiveTasks } from './live-tasks';
import { listWorkers } from './workers';

const STATE_READS = 500;

export interface ReconcilerOptions {
  intervalMs: number;
  /** Finishes creates interrupted between MongoDB and Redis (TaskService.finishInterrupted). */
  finishCreates: (olderThanMs: number) => Promise<number>;
  /** Starts a rebuild of the list indexes when Redis lost them (IndexRebuild.check). */
  checkIndexes: () => Promise<void>;
  /** A queued task older than this without a job in the queue is handed back. */
  queuedGraceMs: number;
  workerTimeoutMs: number;
}

export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  repaired = 0;

  constructor(
    private readonly index: LiveTasks,
    private readonly states: TaskStates,
    private readonly models: Models,
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly queue: BeeQueue,
    private readonly kick: () => void,
    private readonly opts: ReconcilerOptions,
    private readonly log: Logger,
  ) {}

  setActive(active: boolean): void {
    if (active && !this.timer) this.timer = setInterval(() => void this.pass(), this.opts.intervalMs);
    if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  async pass(): Promise<number> {
    if (this.busy || !this.redis.isReady) return 0;
    this.busy = true;
    let fixed = 0;
    try {
      // A create in flight takes milliseconds; one older than half an interval was interrupted.
      fixed += await this.opts.finishCreates(Math.min(5000, this.opts.intervalMs / 2));
      await this.opts.checkIndexes();
      const live = [...this.index.liveRows()];
      if (live.length === 0) {
        this.repaired += fixed;
        return fixed;
      }
      const workers = await listWorkers(this.redis, this.keys.workers, this.opts.workerTimeoutMs);
      const alive = new Set(workers.filter((w) => w.alive).map((w) => w.id));
      const now = Date.now();
      // Live states are compared a few hundred at a time (one script call for their versions), and
      // only the tasks that need it are read further (four fields each).
      for (let i = 0; i < live.length; i += STATE_READS) {
        const rows = live.slice(i, i + STATE_READS);
        const facts = await this.states.versions(rows.map((r) => r.id));
        // A pending task at the version held needs nothing, and is most of a backlog.
        const chunk = rows.filter((r, j) => {
          const f = facts[j];
          return !f || f.status === 'queued' || f.status === 'running' || f.v < r.v;
        });
        const states = await Promise.all(chunk.map((r) => this.states.peek(r.id)));
        for (const [j, row] of chunk.entries()) {
          let state = states[j] ?? null;
          if (!state) {
            // Saved in MongoDB but unknown to Redis (a crash between the two, or Redis lost its data).
            const doc = await this.models.Task.findById(row.id).lean();
            if (!doc) continue;
            await this.states.ensure(doc);
            // The rebuilt state continues above MongoDB's version: the live row must know it.
            this.index.refresh(row.id);
            state = await this.states.peek(row.id);
            if (!state) continue;
            fixed++;
            this.log.warn({ taskId: row.id, status: state.status }, 'task was missing from Redis; restored from MongoDB');
          }
          if (state.v < row.v) {
            // Redis holds an older state than this process has seen: it lost writes (a restore,
            // a failover). Its versions would come again; raise them above, announcing the state.
            const summary = { accountId: row.accountId, platform: row.platform, title: row.title, topics: row.topics, priority: row.priority, scheduledAt: row.scheduledAt, batchId: row.batchId, createdAt: row.createdAt };
            const raised = await this.states.reversion(row.id, state.v, row.v + VERSION_STRIDE, note('reannounced'), summary);
            if (raised.ok) {
              fixed++;
              this.log.warn({ taskId: row.id, liveV: state.v, seenV: row.v, status: state.status }, 'Redis held an older version than this process had seen; live version raised');
            }
            continue;
          }
          if (state.status === 'queued' && now - Date.parse(row.updatedAt) > this.opts.queuedGraceMs) {
            const job = state.jobId ? await this.queue.getJob(state.jobId).catch(() => null) : null;
            if (!job) fixed += await this.handBack(row.id, state.v, 'queued', note('queueEntryLost'));
          } else if (state.status === 'running') {
            const job = state.jobId ? await this.queue.getJob(state.jobId).catch(() => null) : null;
            // Bee-Queue brings back the job of a dead worker by itself; only a lost job needs us.
            if (!job && (!state.workerId || !alive.has(state.workerId))) fixed += await this.handBack(row.id, state.v, 'running', note('workerGone'));
          }
        }
      }
      if (fixed > 0) this.kick();
      this.repaired += fixed;
      return fixed;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'reconcile pass failed');
      return fixed;
    } finally {
      this.busy = false;
    }
  }

  private async handBack(taskId: string, v: number, from: 'queued' | 'running', why: Note): Promise<number> {
    const res = await this.states.transition(taskId, { from: [from], to: 'pending', v, stage: 'requeued', note: why });
    if (res.ok) {
      this.log.warn({ taskId, from }, noteText(why));
      this.index.apply({
        id: res.eventId,
        taskId,
        userId: this.index.get(taskId)?.userId ?? '',
        attempt: res.attempt,
        v: res.v,
        status: 'pending',
        progress: res.progress,
        stage: 'requeued',
        at: res.at,
      });
      return 1;
    }
    return 0;
  }
}
