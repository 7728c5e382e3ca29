/**
 * Decides which pending task goes to the queue next. Bee-Queue is first-in first-out, so the
 * fairness lives here: only a few tasks wait in the queue at any time, each user has at most
 * USER_MAX_RUNNING tasks queued or running, users take turns (fewest in flight first), a user's
 * own tasks go by priority then age, scheduled tasks wait for their time, and one platform
 * account publishes at most once per ACCOUNT_MIN_INTERVAL_S. Only the leader dispatches.
 */
import { TASK_STATUSES, note, taskError, type TaskEvent } from '@zpub/shared';
import type { Logger, RedisClient, RedisKeys, TaskStates } from '@zpub/shared/node';
import type BeeQueue from 'bee-queue';
import type { AccountDirectory } from './accounts';
import type { LiveRow as TaskRow, LiveTasks } from './live-tasks';

export interface DispatcherOptions {
  userMaxRunning: number;
  accountMinIntervalS: number;
  autoRetries: number;
  retryBackoffMs: number;
  /** Slots of the live workers; the queue holds at most about that many waiting tasks. */
  liveSlots: () => number;
}

export class Dispatcher {
  private active = false;
  private scheduled: NodeJS.Timeout | null = null;
  private runningPass: Promise<void> | null = null;
  private again = false;
  private ticker: NodeJS.Timeout | null = null;
  /** When each account last had a task dispatched (for pacing). */
  private readonly lastDispatch = new Map<string, number>();
  /** Accounts whose last dispatch this process read from Redis since it became leader (seedPacing). */
  private readonly paced = new Set<string>();
  /** Users in the order they were last served, for taking turns. */
  private readonly lastServed = new Map<string, number>();
  /** Called with the duration of each pass in ms (metrics). */
  onPass: (ms: number) => void = () => undefined;

  constructor(
    private readonly index: LiveTasks,
    private readonly states: TaskStates,
    private readonly queue: BeeQueue,
    private readonly accounts: AccountDirectory,
    private readonly publish: (e: TaskEvent) => void,
    /** Where the last change of each account's tasks is kept (the list indexes). */
    private readonly redis: { client: RedisClient; keys: RedisKeys },
    private readonly opts: DispatcherOptions,
    private readonly log: Logger,
  ) {}

  setActive(active: boolean): void {
    if (active && !this.active) this.paced.clear();
    this.active = active;
    if (active && !this.ticker) {
      // Scheduled tasks become due with time, not with events.
      this.ticker = setInterval(() => this.kick(), 1000);
      this.kick();
    }
    if (!active && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  /** Asks for a pass soon; many kicks in a burst make one pass. */
  kick(): void {
    if (!this.active || this.scheduled) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = null;
      if (this.runningPass) {
        this.again = true;
        return;
      }
      const started = performance.now();
      this.runningPass = this.pass()
        .then(() => this.onPass(performance.now() - started))
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'dispatch pass failed'))
        .finally(() => {
          this.runningPass = null;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, 5);
  }

  async stop(): Promise<void> {
    this.setActive(false);
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = null;
    await this.runningPass;
  }

  private async pass(): Promise<void> {
    if (!this.active) return;
    await this.seedPacing();
    const now = Date.now();
    const flight = this.index.inFlight();
    let room = Math.max(4, this.opts.liveSlots()) - flight.queued;
    if (room <= 0) return;

    // Candidates: per user, the best due task that its limits and its account's pacing allow.
    const users = [...this.index.liveUsers()]
      .filter((u) => (flight.byUser.get(u) ?? 0) < this.opts.userMaxRunning)
      .sort(
        (a, b) =>
          (flight.byUser.get(a) ?? 0) - (flight.byUser.get(b) ?? 0) ||
          (this.lastServed.get(a) ?? 0) - (this.lastServed.get(b) ?? 0),
      );
    const picks: TaskRow[] = [];
    const userCount = new Map<string, number>();
    for (let round = 0; room > 0 && round < this.opts.userMaxRunning; round++) {
      let progressed = false;
      for (const userId of users) {
        if (room <= 0) break;
        const used = (flight.byUser.get(userId) ?? 0) + (userCount.get(userId) ?? 0);
        if (used >= this.opts.userMaxRunning) continue;
        let pick: TaskRow | undefined;
        for (const t of this.index.duePending(userId, now)) {
          if (!picks.includes(t) && this.accountReady(t.accountId, flight.byAccount, picks, now)) {
            pick = t;
            break;
          }
        }
        if (!pick) continue;
        picks.push(pick);
        userCount.set(userId, (userCount.get(userId) ?? 0) + 1);
        room--;
        progressed = true;
      }
      if (!progressed) break;
    }
    for (const task of picks) {
      if (!this.active) return;
      await this.dispatch(task);
    }
  }

  /**
   * A new leader does not know when the last one dispatched, so it takes the last change of each
   * account's tasks that are past pending instead (the newest entry of the account's
   * last-change index per status): never earlier than the real dispatch, so pacing holds across
   * a failover or a restart (at worst an account waits a little longer once). Only the accounts
   * of live tasks matter, each read once, before the first pass that could dispatch it: a task
   * created after the leader started is paced like the ones it found.
   */
  private async seedPacing(): Promise<void> {
    const intervalMs = this.opts.accountMinIntervalS * 1000;
    if (intervalMs === 0) return;
    const since = Date.now() - intervalMs;
    const accounts = [...this.index.liveAccounts()].filter((a) => !this.paced.has(a));
    const { client, keys } = this.redis;
    for (const accountId of accounts) {
      const newest = await Promise.all(
        TASK_STATUSES.filter((s) => s !== 'pending').map((s) => client.zRangeWithScores(keys.ix.byAccount(accountId, 'u', s), 0, 0, { REV: true })),
      );
      for (const [first] of newest) {
        const at = first?.score ?? 0;
        if (at > since && at > (this.lastDispatch.get(accountId) ?? 0)) this.lastDispatch.set(accountId, at);
      }
      this.paced.add(accountId);
    }
  }

  private accountReady(accountId: string, byAccount: Map<string, number>, picks: TaskRow[], now: number): boolean {
    if (this.opts.accountMinIntervalS === 0) return true;
    if ((byAccount.get(accountId) ?? 0) > 0) return false;
    if (picks.some((p) => p.accountId === accountId)) return false;
    const last = this.lastDispatch.get(accountId) ?? 0;
    return now - last >= this.opts.accountMinIntervalS * 1000;
  }

  private async dispatch(task: TaskRow): Promise<void> {
    const account = await this.accounts.get(task.accountId);
    if (!account || account.userId !== task.userId) {
      await this.failFast(task, 'ACCOUNT_NOT_FOUND');
      return;
    }
    if (account.state === 'expired') {
      // Known to be logged out: no browser would get further than the login check.
      await this.failFast(task, 'LOGIN_EXPIRED');
      return;
    }
    const jobId = `${task.id}-${task.v + 1}`;
    const res = await this.states.transition(task.id, {
      from: ['pending'],
      to: 'queued',
      v: task.v,
      stage: 'queued',
      set: { jobId },
    });
    if (!res.ok) return; // cancelled or rescheduled meanwhile: nothing to do
    this.publishLocal(task, res, 'queued', 'queued');
    this.lastDispatch.set(task.accountId, Date.now());
    this.lastServed.set(task.userId, Date.now());
    try {
      const job = this.queue
        .createJob({ taskId: task.id, jobId })
        .setId(jobId)
        .retries(this.opts.autoRetries);
      if (this.opts.retryBackoffMs > 0) job.backoff('exponential', this.opts.retryBackoffMs);
      await job.save();
    } catch (err) {
      this.log.warn({ taskId: task.id, err: (err as Error).message }, 'enqueue failed; handing the task back');
      const back = await this.states
        .transition(task.id, { from: ['queued'], to: 'pending', stage: 'requeued', note: note('queueUnavailable') })
        .catch(() => null);
      if (back?.ok) this.publishLocal(task, back, 'pending', 'requeued');
    }
  }

  private async failFast(task: TaskRow, code: 'LOGIN_EXPIRED' | 'ACCOUNT_NOT_FOUND'): Promise<void> {
    const error = taskError(code);
    const res = await this.states.transition(task.id, { from: ['pending'], to: 'failed', stage: 'failed', error });
    if (res.ok) this.publishLocal(task, res, 'failed', 'failed', error);
  }

  /** Applies our own change to the live rows at once, so the next pass counts it. */
  private publishLocal(
    task: TaskRow,
    res: { eventId: string; v: number; progress: number; at: string },
    status: TaskRow['status'],
    stage: TaskRow['stage'],
    error?: TaskRow['error'],
  ): void {
    this.publish({ id: res.eventId, taskId: task.id, userId: task.userId, attempt: task.attempt, v: res.v, status, progress: res.progress, stage, error, at: res.at });
  }
}
