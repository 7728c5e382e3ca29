/**
 * One unfinished task per Zhihu article and user: a task that updates article X in place is
 * refused while another task of the same user for X has not ended (two editors racing on one
 * article would leave whichever saved last). Redis keeps, per user, the last task submitted for
 * each article; a short lock covers the moment between checking and saving a submission, so two
 * submissions on two server processes cannot both pass.
 */
import { randomBytes } from 'node:crypto';
import { TERMINAL_STATUSES, type TaskStatus } from '@zpub/shared';
import type { Logger, Models, RedisClient, RedisKeys, TaskStates } from '@zpub/shared/node';

const LOCK_MS = 30_000;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface ArticleClaim {
  userId: string;
  /** Article id -> this claim's lock token. */
  locks: Map<string, string>;
}

export class ArticleGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly states: TaskStates,
    private readonly models: Models,
    private readonly log: Logger,
  ) {}

  /**
   * Claims the articles of one submission. Each article another unfinished task holds (or that a
   * submission on its way holds, or that appears twice in `articleIds`) is in `busy` with a
   * sentence saying why; the others are locked until `settle` or `release`. `retrying` is the
   * task a retry starts again: holding the article itself, it does not stand in its own way.
   */
  async claim(userId: string, articleIds: string[], retrying?: string): Promise<{ claim: ArticleClaim; busy: Map<string, string> }> {
    const claim: ArticleClaim = { userId, locks: new Map() };
    const busy = new Map<string, string>();
    try {
      for (const articleId of articleIds) {
        if (claim.locks.has(articleId) || busy.has(articleId)) {
          busy.set(articleId, `Zhihu article ${articleId} appears more than once in this submission; send one update per article`);
          continue;
        }
        const token = randomBytes(12).toString('base64url');
        const locked = await this.redis.set(this.keys.articleLock(userId, articleId), token, { NX: true, PX: LOCK_MS });
        if (locked !== 'OK') {
          busy.set(articleId, `Zhihu article ${articleId} is being submitted by another request right now; wait for it, then try again`);
          continue;
        }
        claim.locks.set(articleId, token);
        const holder = await this.redis.hGet(this.keys.articleTasks(userId), articleId);
        if (!holder || holder === retrying) continue;
        const status = await this.statusOf(holder);
        if (status && !TERMINAL_STATUSES.includes(status)) {
          busy.set(articleId, `Zhihu article ${articleId} is already being updated by task ${holder}, which is ${status}; wait for it to end (or cancel it), then submit again`);
        }
      }
    } catch (err) {
      await this.release(claim);
      throw err;
    }
    for (const articleId of busy.keys()) {
      const token = claim.locks.get(articleId);
      if (token === undefined) continue;
      claim.locks.delete(articleId);
      await this.unlock(userId, articleId, token);
    }
    return { claim, busy };
  }

  /**
   * Records which task now holds each article, and lets the claim go. The tasks are saved by
   * then: if Redis refuses, the submission still stands and the log says which guard is missing.
   */
  async settle(claim: ArticleClaim, taskOf: Map<string, string>): Promise<void> {
    const entries = [...taskOf].filter(([articleId]) => claim.locks.has(articleId));
    if (entries.length > 0) {
      await this.redis
        .hSet(this.keys.articleTasks(claim.userId), Object.fromEntries(entries))
        .catch((err: Error) => this.log.warn({ err: err.message, tasks: entries.map(([, taskId]) => taskId) }, 'could not record the article of an update task'));
    }
    await this.release(claim);
  }

  async release(claim: ArticleClaim): Promise<void> {
    const locks = [...claim.locks];
    claim.locks.clear();
    await Promise.all(locks.map(([articleId, token]) => this.unlock(claim.userId, articleId, token).catch(() => undefined)));
  }

  private async unlock(userId: string, articleId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, { keys: [this.keys.articleLock(userId, articleId)], arguments: [token] });
  }

  /** The live status (Redis), or the stored one once Redis let an ended task go; null if gone. */
  private async statusOf(taskId: string): Promise<TaskStatus | null> {
    const live = await this.states.get(taskId);
    if (live) return live.status;
    const doc = await this.models.Task.findById(taskId).select('status').lean();
    return doc?.status ?? null;
  }
}
