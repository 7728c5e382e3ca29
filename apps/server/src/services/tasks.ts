/**
 * Creating and steering tasks. A task is saved in MongoDB first (the durable record, with an
 * entry in the create journal), then registered in Redis (its live state and its first event),
 * and its journal entry goes; the dispatcher takes it from there. A crash between the two stores
 * leaves the journal entry, from which the reconciler finishes the create. Every change after
 * that is a compare-and-set on the live state (TaskStates).
 */
import {
  CANCELLABLE_STATUSES,
  PAST_THE_CLICK,
  RETRYABLE_STATUSES,
  checkArticle,
  localAssetPaths,
  note,
  noteText,
  plainCreation,
  timelineKey,
  type ArticleInput,
  type CreateBatchOutput,
  type ManyResult,
  type Stage,
  type TaskDetail,
  type TaskEvent,
  type TaskStatus,
  type TaskSummary,
} from '@zpub/shared';
import { readAfter, summaryOf, viewOf, type Logger, type Models, type RedisKeys, type RedisClient, type StoredRow, type TaskStates, type TransitionSpec } from '@zpub/shared/node';
import { TRPCError } from '@trpc/server';
import type BeeQueue from 'bee-queue';
import { Types } from 'mongoose';
import { AppError, fieldRefusal } from '../errors';
import type { AccountDirectory } from './accounts';
import type { ArticleChecks } from './article-checks';
import type { ArticleGuard } from './article-guard';
import type { LiveTasks } from './live-tasks';
import { deleteTaskDocs } from './projector';
import type { TaskRows } from './task-rows';
import type { Pause } from './test-pause';

export interface TaskServiceDeps {
  models: Models;
  redis: RedisClient;
  keys: RedisKeys;
  states: TaskStates;
  live: LiveTasks;
  rows: TaskRows;
  accounts: AccountDirectory;
  checks: ArticleChecks;
  guard: ArticleGuard;
  queue: BeeQueue;
  kickDispatcher: () => void;
  pause: Pause;
  log: Logger;
  /** This zpub's address: its own absolute image addresses in an article become `/assets/` paths. */
  publicOrigin: string;
}

/** A task detail reads the events the projector has not written yet in chunks this big, this many at most. */
const UNPROJECTED_CHUNK = 500;
const UNPROJECTED_READ_MAX = 2_000;

/** A group commit takes whole submissions up to about this many documents (a batch is never split). */
const MAX_GROUP_DOCS = 500;

interface Submission {
  userId: string;
  accountId: string;
  platform: StoredRow['platform'];
  articles: ArticleInput[];
  batchId: string | undefined;
  /** The rate limit's answer for a single submission, asked before it was queued; rejects with the refusal. */
  allowed: Promise<void> | undefined;
  resolve: (ids: string[]) => void;
  reject: (err: unknown) => void;
}

interface SavedGroup {
  group: Submission[];
  entries: { sub: Submission; content: string; doc: { _id: Types.ObjectId; title: string; topics: string[]; priority: ArticleInput['priority']; scheduledAt: Date | undefined } }[];
  now: Date;
}

export class TaskService {
  constructor(private readonly d: TaskServiceDeps) {}

  /**
   * `allowed` is the submission's rate limit, already asked: it is awaited only once the task is
   * saved, just before it is registered (a Redis round trip is over long before a MongoDB write
   * is, so nobody waits for it); if it refuses, the saved documents go again and the caller gets
   * the refusal, as if it had come first.
   */
  async create(userId: string, accountId: string, input: ArticleInput, allowed?: Promise<void>): Promise<{ taskId: string; status: TaskStatus }> {
    // A check below may refuse first; the limit's own refusal then has nobody to tell.
    allowed?.catch(() => undefined);
    const article = this.ownImages(input);
    const account = await this.d.accounts.owned(userId, accountId);
    const problem = await this.d.checks.forSubmission(userId, account.id)(article);
    if (problem) throw fieldRefusal(problem.field, problem.message, problem.code, problem.params);
    const { claim, busy } = await this.d.guard.claim(userId, article.articleId ? [article.articleId] : []);
    const taken = busy.values().next().value;
    if (taken !== undefined) throw new AppError('CONFLICT', taken.message, 'ARTICLE_BUSY', undefined, undefined, taken.params);
    let taskId: string | undefined;
    try {
      [taskId] = await this.save(userId, account.id, account.platform, [article], undefined, allowed);
    } finally {
      await this.d.guard.settle(claim, new Map(article.articleId && taskId ? [[article.articleId, taskId]] : []));
    }
    if (!taskId) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'The task was not saved' });
    return { taskId, status: 'pending' };
  }

  async createBatch(userId: string, accountId: string, articles: unknown[]): Promise<CreateBatchOutput> {
    const account = await this.d.accounts.owned(userId, accountId);
    const valid: { index: number; article: ArticleInput }[] = [];
    const rejected: CreateBatchOutput['rejected'] = [];
    const check = this.d.checks.forSubmission(userId, account.id);
    for (const [index, value] of articles.entries()) {
      const parsed = checkArticle(value);
      if (!parsed.ok) {
        rejected.push({ index, code: parsed.code, message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) });
        continue;
      }
      const article = this.ownImages(parsed.article);
      const problem = await check(article);
      if (problem) rejected.push({ index, code: problem.code, message: `${problem.field}: ${problem.message}`, field: problem.field, params: problem.params });
      else valid.push({ index, article });
    }
    const { claim, busy } = await this.d.guard.claim(userId, valid.flatMap((v) => (v.article.articleId ? [v.article.articleId] : [])));
    const free = valid.filter((v) => {
      const problem = v.article.articleId === undefined ? undefined : busy.get(v.article.articleId);
      if (problem !== undefined) rejected.push({ index: v.index, code: 'ARTICLE_BUSY', message: `articleId: ${problem.message}`, field: 'articleId', params: problem.params });
      return problem === undefined;
    });
    rejected.sort((a, b) => a.index - b.index);
    if (free.length === 0) {
      await this.d.guard.release(claim);
      return { batchId: null, total: articles.length, created: [], rejected };
    }
    const batchId = new Types.ObjectId().toString();
    let ids: string[] = [];
    try {
      ids = await this.save(
        userId,
        account.id,
        account.platform,
        free.map((v) => v.article),
        batchId,
      );
    } finally {
      const taskOf = new Map<string, string>();
      free.forEach((v, i) => {
        const taskId = ids[i];
        if (v.article.articleId && taskId) taskOf.set(v.article.articleId, taskId);
      });
      await this.d.guard.settle(claim, taskOf);
    }
    return {
      batchId,
      total: articles.length,
      created: ids.map((taskId, i) => ({ taskId, index: free[i]?.index ?? -1 })),
      rejected,
    };
  }

  /** The article with this zpub's own absolute image addresses as `/assets/` paths (localAssetPaths). */
  private ownImages(article: ArticleInput): ArticleInput {
    const content = localAssetPaths(article.content, this.d.publicOrigin);
    const cover = article.cover === undefined ? undefined : localAssetPaths(article.cover, this.d.publicOrigin);
    return content === article.content && cover === article.cover ? article : { ...article, content, ...(cover === undefined ? {} : { cover }) };
  }

  /**
   * Saves tasks and registers them. Concurrent submissions are committed together ("group
   * commit"): FerretDB writes one document at a time through SQLite's single writer (1-2 ms each,
   * serialized), but a few hundred in one insertMany cost little more than one. While a commit is
   * in flight the next submissions gather, so a quiet server adds no wait and a busy one makes one
   * insert per collection for everything that arrived meanwhile.
   */
  private save(
    userId: string,
    accountId: string,
    platform: StoredRow['platform'],
    articles: ArticleInput[],
    batchId: string | undefined,
    allowed?: Promise<void>,
  ): Promise<string[]> {
    if (!this.d.redis.isReady) return Promise.reject(unavailable('Redis'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ userId, accountId, platform, articles, batchId, allowed, resolve, reject });
      this.scheduleCommit();
    });
  }

  private readonly waiting: Submission[] = [];
  private committing = false;
  private commitScheduled = false;

  private scheduleCommit(): void {
    if (this.committing || this.commitScheduled) return;
    this.commitScheduled = true;
    // After the I/O callbacks of this turn: requests parsed together commit together.
    setImmediate(() => {
      this.commitScheduled = false;
      void this.drain();
    });
  }

  /** One group at a time reaches MongoDB; registering a group in Redis overlaps the next insert. */
  private async drain(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const group: Submission[] = [];
        let docs = 0;
        while (this.waiting.length > 0 && (group.length === 0 || docs + (this.waiting[0]?.articles.length ?? 0) <= MAX_GROUP_DOCS)) {
          const next = this.waiting.shift();
          if (!next) break;
          group.push(next);
          docs += next.articles.length;
        }
        const saved = await this.insert(group);
        if (!saved) continue;
        await this.d.pause('create-register');
        void this.register(saved);
      }
    } finally {
      this.committing = false;
    }
  }

  /** The documents of a group in one insert per collection; on failure every submission of the group is refused. */
  private async insert(group: Submission[]): Promise<SavedGroup | null> {
    const now = new Date();
    const entries = group.flatMap((sub) =>
      sub.articles.map((a) => ({
        sub,
        content: a.content,
        doc: {
          _id: new Types.ObjectId(),
          userId: new Types.ObjectId(sub.userId),
          accountId: new Types.ObjectId(sub.accountId),
          platform: sub.platform,
          title: a.title,
          topics: a.topics,
          priority: a.priority,
          scheduledAt: a.scheduledAt ? new Date(a.scheduledAt) : undefined,
          batchId: sub.batchId ? new Types.ObjectId(sub.batchId) : undefined,
          column: a.column,
          cover: a.cover,
          statement: a.statement,
          commentPermission: a.commentPermission,
          articleId: a.articleId,
          mode: a.mode ?? 'publish',
          status: 'pending' as const,
          progress: 0,
          stage: 'created' as const,
          attempt: 0,
          v: 0,
          createdAt: now,
          updatedAt: now,
        },
      })),
    );
    const ids = entries.map((e) => e.doc._id);
    // The driver's own insertMany (the documents are built whole here, nothing for mongoose to
    // cast): an option not given is left out of the document instead of stored as null, seven
    // fewer fields in a plain task for FerretDB to store.
    const written = await Promise.allSettled([
      this.d.models.Task.collection.insertMany(
        entries.map((e) => e.doc),
        { ordered: false, ignoreUndefined: true },
      ),
      this.d.models.TaskContent.collection.insertMany(
        entries.map((e) => ({ _id: e.doc._id, content: e.content })),
        { ordered: false },
      ),
      this.d.models.TaskCreate.collection.insertMany(
        entries.map((e) => ({ _id: e.doc._id, userId: e.doc.userId, at: now })),
        { ordered: false },
      ),
    ]);
    const failure = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failure) {
      await this.discard(ids);
      const err = mongoError(failure.reason);
      for (const sub of group) sub.reject(err);
      return null;
    }
    return { group, entries, now };
  }

  /**
   * Registers a saved group in Redis (live state + first event) and answers its submissions. If
   * Redis refuses, or a submission's rate limit did, the saved documents are removed again, so an
   * error answer never leaves a task behind that would still run.
   */
  private async register(saved: SavedGroup): Promise<void> {
    const allowed = await this.withoutRefused(saved);
    if (allowed) await this.registerAllowed(allowed);
  }

  /**
   * The group without the submissions their rate limit refused while they were being saved:
   * those lose their documents again and get the refusal.
   */
  private async withoutRefused(saved: SavedGroup): Promise<SavedGroup | null> {
    const verdicts = await Promise.allSettled(saved.group.map((sub) => sub.allowed));
    const refused = new Map<Submission, unknown>();
    verdicts.forEach((v, i) => {
      const sub = saved.group[i];
      if (v.status === 'rejected' && sub) refused.set(sub, v.reason);
    });
    if (refused.size === 0) return saved;
    await this.discard(saved.entries.filter((e) => refused.has(e.sub)).map((e) => e.doc._id));
    for (const [sub, reason] of refused) sub.reject(reason);
    const group = saved.group.filter((sub) => !refused.has(sub));
    return group.length === 0 ? null : { ...saved, group, entries: saved.entries.filter((e) => !refused.has(e.sub)) };
  }

  private async registerAllowed({ group, entries, now }: SavedGroup): Promise<void> {
    const summaries = entries.map(({ sub, doc }): TaskSummary => ({
      accountId: sub.accountId,
      platform: sub.platform,
      title: doc.title,
      topics: doc.topics,
      priority: doc.priority,
      scheduledAt: doc.scheduledAt?.toISOString(),
      batchId: sub.batchId,
      createdAt: now.toISOString(),
    }));
    const stageOf = (d: (typeof entries)[number]['doc']) => (d.scheduledAt ? ('scheduled' as const) : ('created' as const));
    let eventIds: (string | null)[];
    try {
      eventIds = await this.d.states.create(
        entries.map(({ sub, doc }, i) => ({
          taskId: doc._id.toString(),
          userId: sub.userId,
          summary: summaries[i] as TaskSummary,
          stage: stageOf(doc),
        })),
      );
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, count: entries.length }, 'registering tasks in Redis failed; removing them');
      await this.discard(entries.map((e) => e.doc._id));
      for (const sub of group) sub.reject(unavailable('Redis'));
      return;
    }
    entries.forEach(({ sub, doc }, i) => {
      const id = eventIds[i];
      if (!id) return;
      this.d.live.apply({
        id,
        taskId: doc._id.toString(),
        userId: sub.userId,
        attempt: 0,
        v: 0,
        status: 'pending',
        progress: 0,
        stage: stageOf(doc),
        task: summaries[i],
        // The created event is dated at the creation (TaskStates.create).
        at: now.toISOString(),
      });
    });
    this.d.kickDispatcher();
    const idsOf = new Map<Submission, string[]>();
    for (const { sub, doc } of entries) {
      const list = idsOf.get(sub) ?? [];
      list.push(doc._id.toString());
      idsOf.set(sub, list);
    }
    for (const sub of group) sub.resolve(idsOf.get(sub) ?? []);
    await settled(this.d.models, entries.map((e) => e.doc._id)).catch((err: Error) =>
      // The reconciler finds the task registered and drops the entry then.
      this.d.log.warn({ err: err.message, count: entries.length }, 'create journal entries not removed'),
    );
  }

  private async discard(ids: Types.ObjectId[]): Promise<void> {
    await Promise.all([deleteTaskDocs(this.d.models, ids.map((id) => ({ id: id.toString(), attempts: 0 }))), settled(this.d.models, ids)]).catch((err: Error) =>
      this.d.log.error({ err: err.message, count: ids.length }, 'could not remove unregistered tasks'),
    );
  }

  /**
   * Finishes creates that a crash interrupted between the two stores: a journal entry older than
   * `olderThanMs` whose task Redis does not know is registered now (its document is there; the
   * user may not have had an answer, but the task is theirs and runs once). Returns how many.
   */
  async finishInterrupted(olderThanMs: number): Promise<number> {
    const entries = await this.d.models.TaskCreate.find({ at: { $lt: new Date(Date.now() - olderThanMs) } }).lean();
    if (entries.length === 0) return 0;
    let finished = 0;
    for (const entry of entries) {
      const id = entry._id.toString();
      // A tombstone counts: a task removed since must not come back.
      if ((await this.d.redis.exists(this.d.keys.task(id))) === 0) {
        const doc = await this.d.models.Task.findById(id).lean();
        if (doc) {
          const summary = summaryOf(doc);
          const stage = doc.scheduledAt ? ('scheduled' as const) : ('created' as const);
          const userId = doc.userId.toString();
          const [eventId] = await this.d.states.create([{ taskId: id, userId, summary, stage, note: note('registeredLate') }]);
          if (eventId) {
            this.d.live.apply({ id: eventId, taskId: id, userId, attempt: 0, v: 0, status: 'pending', progress: 0, stage, task: summary, at: summary.createdAt });
            finished++;
            this.d.log.warn({ taskId: id }, 'a create interrupted between MongoDB and Redis was finished');
          }
        }
      }
      await settled(this.d.models, [entry._id]);
    }
    if (finished > 0) this.d.kickDispatcher();
    return finished;
  }

  /** The row if it is the user's; another user's task is simply not found. */
  async owned(userId: string, id: string): Promise<StoredRow> {
    const row = await this.d.rows.one(id, 'owner');
    if (!row || row.userId !== userId) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such task' });
    return row;
  }

  async byId(userId: string, id: string): Promise<TaskDetail> {
    const row = await this.owned(userId, id);
    const [content, timeline, options] = await Promise.all([
      this.d.models.TaskContent.findById(id).lean(),
      this.d.models.TaskTimeline.findById(id).lean(),
      // The Zhihu settings and the target never change after creation, so rows and events do not carry them.
      this.d.models.Task.findById(id).select('column cover statement commentPermission articleId mode createdAt').lean(),
    ]);
    this.d.rows.countRead('detail', 1);
    const seen = new Set<string>();
    const events: TaskEvent[] = [];
    for (const e of timeline?.events ?? []) {
      if (!e.id || seen.has(e.id)) continue; // a projection retried after a crash may repeat one
      seen.add(e.id);
      events.push({
        id: e.id,
        taskId: id,
        userId,
        attempt: e.attempt ?? 0,
        v: e.v ?? 0,
        status: e.status as TaskStatus,
        progress: e.progress ?? 0,
        stage: e.stage as TaskEvent['stage'],
        note: e.note?.code ? (e.note as TaskEvent['note']) : undefined,
        message: e.message ?? undefined,
        error: e.error?.code ? (e.error as TaskEvent['error']) : undefined,
        result: e.result?.url ? (e.result as TaskEvent['result']) : undefined,
        at: e.at ?? '',
      });
    }
    events.sort((a, b) => (a.id < b.id ? -1 : 1));
    const projected = events.at(-1);
    // Read after the timeline's last event, so nothing read here is in it already.
    if (row.v > (projected?.v ?? -1)) events.push(...(await this.unprojected(id, projected?.id ?? null)));
    // A plain creation the stream did not give is one the projector left out: the document says it.
    const created = options?.createdAt ? plainCreation(id, userId, options.createdAt) : null;
    if (created && !events.some((e) => timelineKey(e) === timelineKey(created))) events.unshift(created);
    return {
      ...viewOf(row),
      column: options?.column ?? undefined,
      cover: options?.cover ?? undefined,
      statement: options?.statement ?? undefined,
      commentPermission: options?.commentPermission ?? undefined,
      articleId: options?.articleId ?? undefined,
      mode: options?.mode ?? 'publish',
      content: content?.content ?? '',
      events,
    };
  }

  /**
   * A task's events that MongoDB's timeline does not hold yet: the projector writes a round at a
   * time and waits between rounds, so the newest events of a task may still be only in the stream.
   * They are read from the stream after both the projector's checkpoint and the timeline's last
   * event, a bounded stretch: the projector is normally a round behind, and a projector stopped
   * for long leaves the detail with what MongoDB has (the row still shows the live status).
   */
  private async unprojected(id: string, lastInTimeline: string | null): Promise<TaskEvent[]> {
    const { redis, keys } = this.d;
    const checkpoint = await redis.get(keys.projectorCheckpoint);
    let from = [checkpoint ?? '', lastInTimeline ?? ''].reduce((a, b) => (a > b ? a : b)) || null;
    const found: TaskEvent[] = [];
    for (let read = 0; read < UNPROJECTED_READ_MAX; read += UNPROJECTED_CHUNK) {
      const chunk = await readAfter(redis, keys.events, from, UNPROJECTED_CHUNK);
      for (const e of chunk) if (e.taskId === id) found.push(e);
      const last = chunk.at(-1);
      if (!last || chunk.length < UNPROJECTED_CHUNK) break;
      from = last.id;
    }
    return found;
  }

  async cancel(userId: string, id: string): Promise<{ status: TaskStatus }> {
    const row = await this.owned(userId, id);
    const res = await this.change(row, {
      from: CANCELLABLE_STATUSES,
      to: 'cancelled',
      stage: 'cancelled',
      note: note('cancelledByUser'),
      // Checked in the same script as the worker's own 'submitted' write, which comes before the
      // click: either the cancel lands first and the click never happens, or it is refused here.
      unlessStage: PAST_THE_CLICK,
    });
    if (!res.ok && res.stage) {
      throw new AppError(
        'CONFLICT',
        `Cannot cancel this task: it has already clicked 发布 on Zhihu (stage ${res.stage}), which cannot be called back; it ends once the article is proven live, or as unconfirmed`,
        'TASK_PAST_CLICK',
        undefined,
        undefined,
        { action: 'cancel', status: res.status, stage: res.stage },
      );
    }
    if (!res.ok) throw refused('cancel', res.status, 'pending, queued or running');
    if (res.from === 'running') {
      // The worker aborts the page at once; its later writes fail the attempt check anyway.
      await this.d.redis.publish(this.d.keys.cancelChannel, id);
    } else if (res.from === 'queued') {
      const live = await this.d.states.get(id);
      if (live?.jobId) await this.d.queue.removeJob(live.jobId).catch(() => undefined);
    }
    return { status: 'cancelled' };
  }

  async retry(userId: string, id: string): Promise<{ status: TaskStatus }> {
    const row = await this.owned(userId, id);
    // A retried update must not race another task on the same article either.
    const target = await this.d.models.Task.findById(id).select('articleId').lean();
    const articleId = target?.articleId ?? undefined;
    const { claim, busy } = await this.d.guard.claim(userId, articleId ? [articleId] : [], id);
    const problem = busy.values().next().value;
    if (problem !== undefined) throw new AppError('CONFLICT', problem.message, 'ARTICLE_BUSY', undefined, undefined, problem.params);
    let res: Awaited<ReturnType<TaskService['change']>> | undefined;
    try {
      res = await this.change(row, {
        from: RETRYABLE_STATUSES,
        to: 'pending',
        stage: 'created',
        note: note('retryRequested'),
        set: { jobId: '' },
        // Servers hold only live tasks: the summary lets each of them take this one up again.
        task: summaryOfRow(row, row.scheduledAt),
      });
    } finally {
      await this.d.guard.settle(claim, new Map(articleId && res?.ok ? [[articleId, id]] : []));
    }
    if (!res.ok) throw refused('retry', res.status, 'failed, cancelled or unconfirmed');
    this.d.kickDispatcher();
    return { status: 'pending' };
  }

  async reschedule(userId: string, id: string, scheduledAt: string | null): Promise<{ status: TaskStatus }> {
    const row = await this.owned(userId, id);
    const summary = summaryOfRow(row, scheduledAt ? new Date(scheduledAt).toISOString() : undefined);
    const res = await this.change(row, {
      from: ['pending'],
      to: 'pending',
      stage: scheduledAt ? 'scheduled' : 'created',
      note: scheduledAt ? note('scheduled', { at: scheduledAt }) : note('unscheduled'),
      task: summary,
    });
    if (!res.ok) throw refused('reschedule', res.status, 'pending');
    await this.d.models.Task.updateOne(
      { _id: new Types.ObjectId(id) },
      scheduledAt ? { $set: { scheduledAt: new Date(scheduledAt) } } : { $unset: { scheduledAt: '' } },
    );
    this.d.kickDispatcher();
    return { status: 'pending' };
  }

  /**
   * Removes an ended task for good: its row leaves every list and tab (the `removed` event), and
   * its document, body, timeline and evidence leave MongoDB. A task still pending, queued or
   * running must be cancelled first, so nothing the user removes can still publish.
   */
  async remove(userId: string, id: string): Promise<{ removed: true }> {
    const row = await this.owned(userId, id);
    if (!this.d.redis.isReady) throw unavailable('Redis');
    let res = await this.d.states.remove(id);
    if (!res.ok && res.reason === 'missing') {
      await this.rebuild(id);
      res = await this.d.states.remove(id);
    }
    if (!res.ok) {
      if (res.reason === 'conflict') {
        throw new AppError('CONFLICT', `Cannot remove a task that is ${res.status}: cancel it first, then remove it`, 'TASK_STATE', undefined, undefined, {
          action: 'remove',
          status: res.status,
        });
      }
      // Removed a moment ago (another tab, another server): what the user asked for is done.
      if (res.reason === 'removed') return { removed: true };
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such task' });
    }
    this.d.live.apply({
      id: res.eventId,
      taskId: id,
      userId: row.userId,
      attempt: res.attempt,
      v: res.v,
      status: res.status,
      progress: row.progress,
      stage: 'removed',
      removed: true,
      at: res.at,
    });
    // The projector deletes them too when it reaches the event (which covers a MongoDB outage
    // here); deleting now means nothing can load the task back from MongoDB in between.
    await deleteTaskDocs(this.d.models, [{ id, attempts: res.attempt }]);
    return { removed: true };
  }

  async many(userId: string, ids: string[], op: 'cancel' | 'retry' | 'remove'): Promise<ManyResult> {
    const result: ManyResult = { changed: [], skipped: [] };
    const one = { cancel: this.cancel, retry: this.retry, remove: this.remove }[op].bind(this);
    for (const id of new Set(ids)) {
      try {
        await one(userId, id);
        result.changed.push(id);
      } catch (err) {
        result.skipped.push({
          id,
          reason: err instanceof TRPCError ? err.message : 'failed',
          code: err instanceof AppError ? (err.appCode ?? err.code) : err instanceof TRPCError ? err.code : 'INTERNAL_SERVER_ERROR',
          ...(err instanceof AppError && typeof err.params?.status === 'string' ? { status: err.params.status as TaskStatus } : {}),
        });
      }
    }
    return result;
  }

  /** Puts a task's live state back into Redis from MongoDB (it expires a while after the end). */
  private async rebuild(id: string): Promise<void> {
    const doc = await this.d.models.Task.findById(id).lean();
    this.d.rows.countRead('owner', 1);
    if (!doc) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such task' });
    await this.d.states.ensure(doc);
  }

  /**
   * A compare-and-set on the live state, applied to the local index at once. If Redis no longer
   * holds the state (finished long ago), it is rebuilt from MongoDB first.
   */
  private async change(row: StoredRow, spec: TransitionSpec): Promise<{ ok: true; from: TaskStatus } | { ok: false; status: TaskStatus; stage?: Stage }> {
    if (!this.d.redis.isReady) throw unavailable('Redis');
    let res = await this.d.states.transition(row.id, spec);
    if (!res.ok && res.reason === 'missing') {
      await this.rebuild(row.id);
      res = await this.d.states.transition(row.id, spec);
    }
    if (!res.ok) return res.reason === 'conflict' ? { ok: false, status: res.status, ...(res.stage ? { stage: res.stage } : {}) } : { ok: false, status: 'failed' };
    this.d.live.apply({
      id: res.eventId,
      taskId: row.id,
      userId: row.userId,
      attempt: res.attempt,
      v: res.v,
      status: spec.to,
      progress: res.progress,
      stage: spec.stage,
      note: spec.note,
      message: spec.note ? noteText(spec.note) : spec.message,
      task: spec.task,
      at: res.at,
    });
    return { ok: true, from: res.from };
  }
}

/** Drops create-journal entries: their tasks are registered in Redis, or removed again. */
async function settled(models: Models, ids: readonly Types.ObjectId[]): Promise<void> {
  // The journal holds only the creates of the last moments, so `$in` scans a handful of documents.
  // The driver's own call, as for the inserts: nothing to cast, one per group at full load.
  if (ids.length > 0) await models.TaskCreate.collection.deleteMany({ _id: { $in: [...ids] } });
}

/** What an event carries of a task, from its row, so a process that does not hold it can build it. */
function summaryOfRow(row: StoredRow, scheduledAt: string | undefined): TaskSummary {
  return {
    accountId: row.accountId,
    platform: row.platform,
    title: row.title,
    topics: row.topics,
    priority: row.priority,
    scheduledAt,
    batchId: row.batchId,
    createdAt: row.createdAt,
  };
}

function refused(action: 'cancel' | 'retry' | 'reschedule', status: TaskStatus, allowed: string): AppError {
  return new AppError('CONFLICT', `Cannot ${action} a task that is ${status}; only ${allowed} tasks can be`, 'TASK_STATE', undefined, undefined, { action, status });
}

export function unavailable(what: string): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: `${what} is temporarily unavailable; try again in a moment` });
}

function mongoError(err: unknown): TRPCError {
  const msg = (err as Error).message ?? '';
  if (/ECONNREFUSED|topology|Server selection|not connected|connection/i.test(msg)) return unavailable('The database');
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Saving the task failed', cause: err });
}
