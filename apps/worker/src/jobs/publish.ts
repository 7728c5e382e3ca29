/**
 * The `publish` job: claim the task for a new attempt, run the Zhihu flow in a browser context
 * of its own, and record the outcome. Every write is fenced by the attempt and its claim's token
 * (shared/node/claims.ts), so a worker that was frozen or cancelled, or that a rolled-back Redis
 * forgot, cannot overwrite what happened since.
 */
import { LIMITS, knownNote, note, taskError, unconfirmedText, type EvidenceView, type Note, type ParsedCookie, type Stage, type TaskError, type TaskResult } from '@zpub/shared';
import { markdownToZhihuHtml } from '@zpub/shared/markdown';
import {
  CLAIM_OUTAGE_PATIENCE_MS,
  claimAttempt,
  isOutage,
  isRedisConnectionError,
  markSubmitted,
  throughOutages,
  type Logger,
  type Models,
  type PublishJobData,
  type QueueJobData,
  type SecretBox,
  type TaskStates,
  type TransitionSpec,
  type VerifyJobData,
} from '@zpub/shared/node';
import type BeeQueue from 'bee-queue';
import { Types } from 'mongoose';
import type { Page } from 'puppeteer-core';
import type { AssetBytes } from '../adapters/zhihu/images';
import { loginCheck, publishArticle, setAccountCookies, type Article, type Origins, type Outcome } from '../adapters/zhihu/publish';
import type { BrowserRunner } from '../browser/runner';
import type { Env } from '../env';
import { AttemptLost, PublishError, isUnknownOutcome } from '../errors';
import { handleVerify, isVerifyJob, markAccount } from './verify';

/** The queue carries two kinds of job: a task to publish, and an account to check (verify.ts). */
export type JobData = QueueJobData;

export interface Running {
  taskId: string;
  attempt: number;
  /** The claim's fencing token: every write about this attempt presents it. */
  token: string;
  controller: AbortController;
  submitted: boolean;
  startedAt: number;
  /** This attempt has written how it ended (or handed the task back): a later status is its own doing. */
  ended: boolean;
}

export interface PublishDeps {
  env: Env;
  models: Models;
  states: TaskStates;
  box: SecretBox;
  browser: BrowserRunner;
  running: Map<string, Running>;
  origins: (platform: string) => Origins;
  log: Logger;
  /** Called once per attempt that ends (not for automatic retries or lost attempts). */
  onFinished: (status: 'success' | 'failed' | 'unconfirmed', startedAt: number) => void;
}

interface Evidence {
  url: string;
  pageTitle: string;
  screenshot: Buffer | null;
}

/** Evidence is one document per attempt; this keeps it far below MongoDB's 16 MB per document. */
const MAX_SCREENSHOT_BYTES = 200_000;
const SCREENSHOT_QUALITIES = [60, 35, 15];
/** Attempts whose evidence is kept per task (the latest ones): at most 3 x 200 KB. */
const EVIDENCE_KEPT = 3;

/**
 * Fenced writes for one attempt. A write that fails because Redis dropped the connection is
 * tried again until Redis is back (a stage reported twice is harmless; an ending reported twice
 * fails its compare-and-set the second time), so an outage delays a task instead of ending it.
 */
class Attempt {
  constructor(
    private readonly states: TaskStates,
    private readonly models: Models,
    readonly taskId: string,
    private readonly running: Running,
  ) {}

  get attempt(): number {
    return this.running.attempt;
  }

  private get token(): string {
    return this.running.token;
  }

  private async write(spec: TransitionSpec) {
    const deadline = Date.now() + REDIS_OUTAGE_PATIENCE_MS;
    for (let i = 0; ; i++) {
      try {
        return await this.states.transition(this.taskId, spec);
      } catch (err) {
        if (!isRedisConnectionError(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
  }

  async stage(stage: Stage, what?: Note, set?: { submittedAt?: string }): Promise<void> {
    const res = await this.write({ from: ['running'], to: 'running', attempt: this.attempt, token: this.token, stage, note: what, set });
    if (!res.ok) throw new AttemptLost(`attempt ${this.attempt} no longer owns the task`);
  }

  /** Gives the task back to the queue (nothing was done yet); false when this attempt no longer holds it. */
  async handBack(why: Note): Promise<boolean> {
    const res = await this.write({ from: ['running'], to: 'pending', attempt: this.attempt, token: this.token, stage: 'requeued', note: why });
    if (res.ok) this.running.ended = true;
    return res.ok;
  }

  /** The point of no return: recorded in MongoDB (which a Redis restore cannot undo), then in Redis. */
  async submitted(what: Note): Promise<void> {
    const at = new Date();
    if (!(await markSubmitted(this.models, this.taskId, this.attempt, this.token, at))) {
      throw new AttemptLost(`attempt ${this.attempt} no longer holds its claim`);
    }
    await this.stage('submitted', what, { submittedAt: String(at.getTime()) });
  }

  async finish(
    to: 'success' | 'failed' | 'unconfirmed' | 'queued' | 'pending',
    fields: { stage: Stage; note?: Note | undefined; message?: string; error?: TaskError; result?: TaskResult; evidence?: EvidenceView | undefined },
  ): Promise<boolean> {
    const res = await this.write({ from: ['running'], to, attempt: this.attempt, token: this.token, ...fields });
    if (res.ok) this.running.ended = true;
    return res.ok;
  }
}

/** How long an attempt waits for Redis to come back before it gives up writing. */
const REDIS_OUTAGE_PATIENCE_MS = 120_000;

export async function handlePublish(job: BeeQueue.Job<JobData>, d: PublishDeps): Promise<void> {
  if (isVerifyJob(job.data)) return handleVerify(job as BeeQueue.Job<VerifyJobData>, d);
  const { taskId, jobId } = job.data;
  const publishJob = job as BeeQueue.Job<PublishJobData>;
  const log = d.log.child({ taskId, jobId });
  const claim = await claimAttempt(d.states, d.models, {
    taskId,
    jobId,
    workerId: d.env.WORKER_ID,
    stallLimit: d.env.STALL_LIMIT,
    stallError: taskError('WORKER_LOST'),
  });
  if (!claim.ok) {
    log.info({ reason: claim.reason }, 'job not taken');
    return;
  }
  const running: Running = { taskId, attempt: claim.attempt, token: claim.token, controller: new AbortController(), submitted: false, startedAt: Date.now(), ended: false };
  const attempt = new Attempt(d.states, d.models, taskId, running);
  const alog = log.child({ attempt: claim.attempt });
  d.running.set(taskId, running);
  if (claim.skipped > 0) alog.warn({ skipped: claim.skipped }, 'attempt numbers already taken in MongoDB were skipped (Redis lost writes)');
  alog.info({ stalls: claim.stalls }, 'attempt started');
  try {
    await runAttempt(publishJob, d, attempt, running, claim.priorSubmittedAt, alog);
  } finally {
    d.running.delete(taskId);
  }
}

interface AttemptInput {
  origins: Origins;
  cookies: ParsedCookie[];
  article: Article;
  accountId: Types.ObjectId;
  userId: Types.ObjectId;
}

/** The task, its account and its article, or the error that ends the attempt without a browser. */
async function loadInput(d: PublishDeps, taskId: string): Promise<AttemptInput | TaskError> {
  const [task, content] = await Promise.all([d.models.Task.findById(taskId).lean(), d.models.TaskContent.findById(taskId).lean()]);
  const account = task ? await d.models.Account.findById(task.accountId).lean() : null;
  if (!task || !content) return taskError('INTERNAL', note('taskMissing'));
  if (!account) return taskError('ACCOUNT_NOT_FOUND');
  // Zhihu refuses these anyway; no browser is needed to know it.
  const titleChars = [...task.title].length;
  if (titleChars > LIMITS.titleMax) return taskError('TITLE_TOO_LONG', note('titleLength', { chars: titleChars, max: LIMITS.titleMax }));
  if (account.state === 'expired') return taskError('LOGIN_EXPIRED');
  let cookies: ParsedCookie[];
  try {
    cookies = JSON.parse(d.box.open(account.cookiesSealed)) as ParsedCookie[];
  } catch {
    return taskError('LOGIN_EXPIRED', note('cookiesUnreadable'));
  }
  const columnTitle = task.column ? account.columns?.find((c) => c.id === task.column)?.title : undefined;
  const article: Article = {
    title: task.title,
    html: markdownToZhihuHtml(content.content),
    topics: task.topics,
    column: task.column ? { id: task.column, title: columnTitle ?? undefined } : undefined,
    cover: task.cover ?? undefined,
    statement: task.statement ?? undefined,
    commentPermission: task.commentPermission ?? undefined,
    articleId: task.articleId ?? undefined,
    mode: task.mode ?? 'publish',
  };
  return { origins: d.origins(task.platform), cookies, article, accountId: account._id, userId: task.userId };
}

/** An image the user uploaded, as stored under `<userId>:<sha256>`. */
function assetLoader(d: PublishDeps, userId: Types.ObjectId): (sha256: string) => Promise<AssetBytes | null> {
  return async (sha256) => {
    const doc = await d.models.Asset.findById(`${userId.toString()}:${sha256}`);
    return doc ? { mime: doc.mime, data: Buffer.from(doc.data) } : null;
  };
}

interface BrowserResult {
  outcome: Outcome | null;
  failure: unknown;
  evidence: Evidence | null;
  me: { urlToken: string; name: string } | null;
}

/** The browser part of an attempt: login check, then the Zhihu flow; whatever happens is returned, not thrown. */
async function runInBrowser(d: PublishDeps, attempt: Attempt, running: Running, input: AttemptInput, priorSubmittedAt: number | null): Promise<BrowserResult> {
  const result: BrowserResult = { outcome: null, failure: null, evidence: null, me: null };
  const signal = running.controller.signal;
  try {
    result.outcome = await d.browser.run(async (page) => {
      let crashed = false;
      page.on('error', () => {
        // A crashed tab leaves page calls hanging until the protocol timeout: end them now.
        crashed = true;
        void page.browserContext().close().catch(() => undefined);
      });
      // Cancelling closes this context at once; every pending page call then fails.
      const onAbort = () => void page.browserContext().close().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await setAccountCookies(page, input.origins, input.cookies);
        const me = await loginCheck(page, input.origins);
        result.me = me;
        await attempt.stage('login', note('loggedIn', { name: me.name }));
        const outcome = await publishArticle(
          page,
          input.origins,
          input.article,
          me,
          {
            stage: (stage, what) => attempt.stage(stage, what),
            beforeSubmit: async () => {
              await attempt.submitted(note('publishClicked', input.article.articleId ? { articleId: input.article.articleId } : {}));
              running.submitted = true;
            },
            loadAsset: assetLoader(d, input.userId),
            signal,
          },
          { submittedAt: priorSubmittedAt },
          { redirectTimeoutMs: d.env.REDIRECT_TIMEOUT_MS },
        );
        // What the page showed when nothing could prove the article either way.
        if (outcome.status === 'unconfirmed') result.evidence = await captureEvidence(page);
        return outcome;
      } catch (err) {
        if (!signal.aborted && !(err instanceof AttemptLost)) result.evidence = await captureEvidence(page);
        throw crashed ? new PublishError('BROWSER_CRASHED', note('tabCrashed'), running.submitted) : err;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  } catch (err) {
    result.failure = err;
  }
  return result;
}

async function runAttempt(
  job: BeeQueue.Job<PublishJobData>,
  d: PublishDeps,
  attempt: Attempt,
  running: Running,
  priorSubmittedAt: number | null,
  log: Logger,
): Promise<void> {
  const taskId = attempt.taskId;
  let input: AttemptInput | TaskError;
  try {
    input = await throughOutages(() => loadInput(d, taskId), CLAIM_OUTAGE_PATIENCE_MS);
  } catch (err) {
    if (!isOutage(err)) throw err;
    // Nothing was done yet: the task goes back to the queue instead of staying `running` on nobody.
    const handedBack = await attempt.handBack(note('storeUnreachable', { step: 'read' }));
    log.warn({ handedBack }, 'MongoDB stayed out of reach while reading the task; handed back');
    return;
  }
  if (!('article' in input)) {
    await attempt.finish('failed', { stage: 'failed', error: input });
    d.onFinished('failed', running.startedAt);
    return;
  }
  const { outcome, failure, evidence, me } = await runInBrowser(d, attempt, running, input, priorSubmittedAt);
  const signal = running.controller.signal;
  if (signal.aborted || failure instanceof AttemptLost) {
    log.info('attempt ended: the task was cancelled or taken over');
    return;
  }
  const evidenceRef = evidence ? await saveEvidence(d.models, taskId, input.userId, attempt.attempt, evidence, log) : undefined;

  if (outcome?.status === 'success') {
    const ok = await attempt.finish('success', {
      stage: outcome.stage,
      note: outcome.note,
      result: { url: outcome.url, articleId: outcome.articleId },
    });
    if (ok) await markAccount(d.models, input.accountId, { state: 'active', me });
    if (ok) d.onFinished('success', running.startedAt);
    return;
  }
  if (outcome?.status === 'unconfirmed') {
    const message = unconfirmedText(outcome.note);
    await attempt.finish('unconfirmed', { stage: 'unconfirmed', note: outcome.note, message, error: outcome.error, evidence: evidenceRef });
    d.onFinished('unconfirmed', running.startedAt);
    return;
  }
  await recordFailure(job, d, attempt, running, input.accountId, classify(failure, running.submitted, signal), failure, evidenceRef, log);
}

/** A failed attempt: unconfirmed after the click when nothing says Zhihu refused, retried when it can help, else failed. */
async function recordFailure(
  job: BeeQueue.Job<PublishJobData>,
  d: PublishDeps,
  attempt: Attempt,
  running: Running,
  accountId: Types.ObjectId,
  error: TaskError,
  failure: unknown,
  evidence: EvidenceView | undefined,
  log: Logger,
): Promise<void> {
  log.warn({ code: error.code, retryable: error.retryable, err: (failure as Error)?.message }, 'attempt failed');
  if (error.code === 'LOGIN_EXPIRED') await markAccount(d.models, accountId, { state: 'expired', reason: error.message });
  // After the click, an error that does not say Zhihu refused leaves the article's fate unknown.
  if (running.submitted && isUnknownOutcome(error.code)) {
    await attempt.finish('unconfirmed', { stage: 'unconfirmed', error, evidence });
    d.onFinished('unconfirmed', running.startedAt);
    return;
  }
  const retriesLeft = job.options.retries ?? 0;
  if (error.retryable && retriesLeft > 0) {
    const ok = await attempt.finish('queued', { stage: 'retrying', error });
    // Bee-Queue owns retries: failing the job schedules the next try with its backoff.
    if (ok) throw new PublishError(error.code, knownNote(error.detail) ?? undefined);
    return;
  }
  await attempt.finish('failed', { stage: 'failed', error, evidence });
  d.onFinished('failed', running.startedAt);
}

/**
 * The error a person sees for what stopped the attempt. Errors the flow raised already say what
 * they mean; anything else (puppeteer, the network, a bug) is sorted by what it looks like. After
 * the click, an error that leaves the outcome unknown is never retried blindly.
 */
export function classify(err: unknown, submitted: boolean, signal: AbortSignal): TaskError {
  if (err instanceof PublishError) {
    if (submitted && !err.afterSubmit && isUnknownOutcome(err.code)) return new PublishError(err.code, err.detail, true).toTaskError();
    return err.toTaskError();
  }
  const message = ((err as Error)?.message ?? String(err)).slice(0, 300);
  const name = (err as Error)?.name ?? '';
  const as = (code: 'PUBLISH_TIMEOUT' | 'BROWSER_CRASHED' | 'INTERNAL', detail: Note) => new PublishError(code, detail, submitted).toTaskError();
  if (name === 'TimeoutError' || /timeout|timed out/i.test(message)) return as('PUBLISH_TIMEOUT', note('timedOut', { cause: message }));
  if (/crash|Target closed|Session closed|detached|disconnected|Protocol error/i.test(message) && !signal.aborted) {
    return as('BROWSER_CRASHED', note('tabGone', { cause: message }));
  }
  if (/ECONNREFUSED|ECONNRESET|ERR_CONNECTION|ERR_NAME|net::/i.test(message)) return as('PUBLISH_TIMEOUT', note('unreachable', { cause: message }));
  return as('INTERNAL', note('unexpected', { cause: message }));
}

export async function captureEvidence(page: Page): Promise<Evidence | null> {
  // A crashed tab can still say where it was, not what it showed.
  if (page.isClosed()) return { url: redactUrl(page.url()), pageTitle: '', screenshot: null };
  try {
    const [url, pageTitle] = [page.url(), await withTimeout(page.title(), 3000, '')];
    return { url: redactUrl(url), pageTitle: pageTitle.slice(0, 200), screenshot: await boundedScreenshot(page) };
  } catch {
    return null;
  }
}

/**
 * The visible part of the page as a JPEG of at most MAX_SCREENSHOT_BYTES: a busy page is taken
 * again at a lower quality rather than dropped. Only the viewport, never the full page.
 */
async function boundedScreenshot(page: Page): Promise<Buffer | null> {
  for (const quality of SCREENSHOT_QUALITIES) {
    const shot = await withTimeout(page.screenshot({ type: 'jpeg', quality, optimizeForSpeed: true }), 5000, null);
    if (!shot) return null;
    if (shot.length <= MAX_SCREENSHOT_BYTES) return Buffer.from(shot);
  }
  return null;
}

function withTimeout<T, D>(p: Promise<T>, ms: number, fallback: D): Promise<T | D> {
  return Promise.race([p.catch(() => fallback), new Promise<D>((r) => setTimeout(() => r(fallback), ms))]);
}

/** Evidence URLs keep their path but never a query string (it can carry tokens). */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.origin}${u.pathname}` : u.protocol;
  } catch {
    return '';
  }
}

/**
 * Keeps the evidence of an attempt, keyed `<taskId>:<attempt>`; the final event carries a reference
 * to it. Only the latest EVIDENCE_KEPT attempts keep theirs, so manual retries cannot pile it up.
 */
async function saveEvidence(models: Models, taskId: string, userId: Types.ObjectId, attempt: number, e: Evidence, log: Logger): Promise<EvidenceView | undefined> {
  const at = new Date();
  try {
    await models.Evidence.updateOne(
      { _id: `${taskId}:${attempt}` },
      { $set: { taskId: new Types.ObjectId(taskId), userId, attempt, url: e.url, pageTitle: e.pageTitle, screenshot: e.screenshot ?? undefined, at } },
      { upsert: true },
    );
    // Each save drops the one EVIDENCE_KEPT attempts back, so a task never holds more than that.
    if (attempt > EVIDENCE_KEPT) await models.Evidence.deleteOne({ _id: `${taskId}:${attempt - EVIDENCE_KEPT}` });
    return { url: e.url, pageTitle: e.pageTitle, screenshot: e.screenshot !== null, at: at.toISOString() };
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'evidence not saved');
    return undefined;
  }
}
