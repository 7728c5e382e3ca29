/**
 * Rebuilds the list indexes, rows and counts in Redis from MongoDB when Redis lost them: a Redis
 * restarted without its data (no mark that the indexes are complete), or one restored from an
 * older snapshot (it is behind the projection MongoDB recorded). The leader walks the task
 * collection once in the background; every task document is indexed by the same script that the
 * API's changes keep (TaskStates.index), and live tasks Redis had lost come back with an event.
 * Until the walk ends, lists and statistics say `rebuilding` (task-lists.ts). Start-up never
 * waits for it.
 */
import { VERSION_STRIDE, type Logger, type Models, type RedisClient, type RedisKeys, type StoredTask, type TaskStates } from '@zpub/shared/node';
import { PROJECTED } from './projector';
import type { TaskRows } from './task-rows';
import type { Pause } from './test-pause';

/** Documents indexed per round trip (pipelined scripts). */
const BATCH = 500;

interface Mark {
  at: string;
  tasks: number;
  /** The projection MongoDB had recorded when the rebuild started. */
  projected: string;
}

export class IndexRebuild {
  private running: Promise<void> | null = null;
  /** Rebuilds finished by this process, and task documents they indexed. */
  rebuilds = 0;
  indexed = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly models: Models,
    private readonly states: TaskStates,
    private readonly rows: TaskRows,
    private readonly holds: () => Promise<boolean>,
    private readonly pause: Pause,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.running !== null;
  }

  /**
   * At start: a Redis without the mark over a MongoDB without any task has nothing to rebuild (a
   * new installation). One document is read (a limit without a filter is cheap on FerretDB too).
   */
  async markIfNothingToIndex(): Promise<void> {
    if ((await this.redis.exists(this.keys.ix.ready)) === 1) return;
    const any = await this.models.Task.findOne({}, { _id: 1 }).lean();
    this.rows.countRead('rebuild', any ? 1 : 0);
    if (!any) await this.mark(0, await this.projected());
  }

  /** The leader asks now and then: starts a rebuild in the background when one is needed. */
  async check(): Promise<void> {
    if (this.running) return;
    const [markText, redisProjected, projected] = await Promise.all([
      this.redis.get(this.keys.ix.ready),
      this.redis.get(this.keys.projectorCheckpoint),
      this.projected(),
    ]);
    let why: string | null = markText ? null : 'Redis has no complete task indexes (it lost its data, or they were never built)';
    if (markText && projected) {
      const mark = JSON.parse(markText) as Partial<Mark>;
      const seen = [redisProjected ?? '', mark.projected ?? ''].reduce((a, b) => (a > b ? a : b));
      if (projected > seen) why = `Redis is behind MongoDB (projected up to ${projected}, Redis up to ${seen || 'nothing'}): restored from an older snapshot`;
    }
    if (!why) return;
    await this.redis.del(this.keys.ix.ready);
    this.running = this.rebuild(why, projected).finally(() => {
      this.running = null;
    });
  }

  private async projected(): Promise<string> {
    return (await this.models.ServerState.findById(PROJECTED).lean())?.value ?? '';
  }

  private async rebuild(why: string, projected: string): Promise<void> {
    const started = Date.now();
    this.log.warn({ why }, 'rebuilding the task indexes in Redis from MongoDB in the background; lists say "rebuilding" until it ends');
    const outcomes = { indexed: 0, restored: 0, kept: 0, removed: 0 };
    let scanned = 0;
    const progress = () => this.redis.set(this.keys.ix.rebuild, JSON.stringify({ startedAt: new Date(started).toISOString(), scanned, why }));
    try {
      await progress();
      await this.pause('index-rebuild');
      let batch: StoredTask[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        if (!(await this.holds())) throw new Error('this process no longer leads');
        for (const o of await this.states.index(batch, VERSION_STRIDE)) outcomes[o]++;
        scanned += batch.length;
        this.rows.countRead('rebuild', batch.length);
        batch = [];
        await progress();
      };
      for await (const doc of this.models.Task.find({}).lean().cursor({ batchSize: 1000 })) {
        batch.push(doc);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      await this.mark(scanned, projected);
      this.rebuilds++;
      this.indexed += scanned;
      this.log.warn({ tasks: scanned, ...outcomes, ms: Date.now() - started }, 'task indexes rebuilt from MongoDB');
    } catch (err) {
      // The next check (this leader's next pass, or the next leader's) starts over.
      this.log.warn({ err: (err as Error).message, scanned }, 'rebuilding the task indexes stopped; it starts over');
    } finally {
      await this.redis.del(this.keys.ix.rebuild).catch(() => undefined);
    }
  }

  private async mark(tasks: number, projected: string): Promise<void> {
    const mark: Mark = { at: new Date().toISOString(), tasks, projected };
    await this.redis.set(this.keys.ix.ready, JSON.stringify(mark));
  }
}
