/**
 * Workers die, freeze and get stopped; every task still ends with exactly one article.
 * Real processes and real signals: SIGKILL, SIGSTOP/SIGCONT, SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createClient } from 'redis';
import type { TaskEvent } from '@zpub/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({
    workers: 2,
    serverEnv: { USER_MAX_RUNNING: '8', RECONCILE_INTERVAL_MS: '2000' },
    workerEnv: { STALL_INTERVAL_MS: '2000', SHUTDOWN_GRACE_MS: '4000', STALL_LIMIT: '2' },
    env: { STALL_INTERVAL_MS: '2000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** The worker that started the latest attempt of a task, from its "started by worker" event. */
function workerOf(events: TaskEvent[], taskId: string): string | null {
  const started = events.filter((e) => e.taskId === taskId && e.stage === 'browser').at(-1);
  return /started by worker (\S+)/.exec(started?.message ?? '')?.[1] ?? null;
}

async function redisCommand<T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: stack.urls.redis });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.quit();
  }
}

function handleFor(id: string) {
  const handle = stack.workers.find((w) => w.env.WORKER_ID === id);
  if (!handle) throw new Error(`no worker ${id}`);
  return handle;
}

async function ensureWorkersRunning(): Promise<void> {
  for (const w of stack.workers) if (!w.running) await w.restart();
}

describe('worker failures', () => {
  it('finishes a task exactly once when its worker is killed after 确认发布 (SIGKILL)', async () => {
    await ensureWorkersRunning();
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // The article goes live, then the editor waits 8 s before showing it: the worker dies then.
    await stack.sandboxApi.fault({ kind: 'slow-redirect', ms: 8000, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '被杀死的发布', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'submitted'), 60_000, 'the click');
    const victim = handleFor(workerOf(rec.events, taskId) ?? '');
    await new Promise((r) => setTimeout(r, 1500)); // the publish request reaches the sandbox
    await victim.kill('SIGKILL');
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'another worker to finish it');
    rec.stop();
    const events = rec.of(taskId);
    expect(events.at(-1)).toMatchObject({ status: 'success', stage: 'duplicate', attempt: 2 });
    expect(workerOf(events, taskId)).not.toBe(victim.env.WORKER_ID);
    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    expect(events.at(-1)?.result?.articleId).toBe(articles[0]?.id);
    await victim.restart();
  });

  it('hands a task whose worker froze (SIGSTOP) to another; the frozen one, resumed, changes nothing', async () => {
    await ensureWorkersRunning();
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 5000, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '冻结的工作节点', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the first attempt to log in');
    const frozen = handleFor(workerOf(rec.events, taskId) ?? '');
    await frozen.signal('SIGSTOP', { tree: true });
    try {
      await rec.until((es) => es.some((e) => e.taskId === taskId && e.status === 'success'), 90_000, 'the other worker to finish');
    } finally {
      await frozen.signal('SIGCONT', { tree: true });
    }
    const finalBefore = rec.of(taskId).at(-1);
    // The resumed worker finds its attempt gone and stops; give it time to try anything.
    await waitFor(async () => {
      const log = await readFile(frozen.logFile, 'utf8');
      return log.split('\n').some((l) => l.includes(taskId) && /no longer ours|cancelled or taken over|job not taken/.test(l));
    }, 'the resumed worker to give the task up', 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    rec.stop();
    const events = rec.of(taskId);
    expect(events.at(-1)).toEqual(finalBefore);
    expect(events.filter((e) => e.status === 'success')).toHaveLength(1);
    // Nothing of the frozen attempt was written after the other attempt began.
    const second = events.find((e) => e.stage === 'browser' && e.attempt === 2);
    expect(events.filter((e) => second && e.v > second.v && e.attempt === 1)).toEqual([]);
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(1);
    const detail = await user.api.task.byId.query({ id: taskId });
    expect(detail).toMatchObject({ status: 'success', attempt: 2 });
  });

  it('stops a worker with four running tasks on SIGTERM within the grace time; every task still succeeds', async () => {
    await ensureWorkersRunning();
    const [first, second] = stack.workers;
    if (!first || !second) throw new Error('two workers expected');
    await second.stop({ graceMs: 15_000 });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // Slow editor pages keep the four busy past the grace time: some finish, the rest are handed back.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 6000, times: 4, author: account.name });
    const rec = user.record();
    await rec.started;
    const batch = await user.api.task.createBatch.mutate({ accountId: account.id, articles: [0, 1, 2, 3].map((i) => article(i)) });
    const ids = batch.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.stage === 'login')), 60_000, 'four running');
    const t0 = Date.now();
    await first.signal('SIGTERM');
    const exit = await first.exited;
    const took = Date.now() - t0;
    expect(exit.code).toBe(0);
    expect(took).toBeLessThan(4000 + 20_000);
    const log = await readFile(first.logFile, 'utf8');
    expect(log).toContain('"msg":"draining"');
    expect(log).toContain('"msg":"stopped"');
    await second.restart();
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 120_000, 'all four to end');
    rec.stop();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(rec.events.some((e) => e.stage === 'requeued')).toBe(true);
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(4);
    await first.restart();
  });

  it('a stopping worker hands back only a task its own claim still holds; the task then ends once, on another worker', async () => {
    await ensureWorkersRunning();
    const [first, second] = stack.workers;
    if (!first || !second) throw new Error('two workers expected');
    await second.stop({ graceMs: 15_000 });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // The editor page takes 8 s: the attempt is still before the click when the worker stops.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 8000, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '换了领取令牌的任务', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the attempt to log in');
    // As after a Redis restored from a snapshot: another claim of the same attempt number holds the task now.
    await redisCommand((c) => c.hSet(`${stack.prefix}:task:${taskId}`, 'token', 'a-later-claim'));
    await first.signal('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const handing = (await readFile(first.logFile, 'utf8')).split('\n').filter((l) => l.includes(taskId) && l.includes('handing back'));
    expect(handing.at(-1)).toContain('"handedBack":false');
    expect(rec.of(taskId).filter((e) => e.note?.code === 'handedBack')).toEqual([]);
    // The worker that held it is gone: the reconciler gives the task to the next one.
    await second.restart();
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 120_000, 'the task to end');
    rec.stop();
    expect(rec.of(taskId).filter((e) => e.stage === 'requeued').map((e) => e.note?.code)).toEqual(['workerGone']);
    expect(rec.of(taskId).at(-1)).toMatchObject({ status: 'success', attempt: 2 });
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(1);
    await first.restart();
  });

  it('fails a task that kills its worker every time with WORKER_LOST after the stall limit; others keep flowing', async () => {
    await ensureWorkersRunning();
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const other = await user.sandboxAccount();
    // The page of this account never finishes loading, so each attempt is still running when its
    // worker is killed: the task "kills" its worker every time.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 60_000, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '每次都杀死工作节点', content: 'x' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'browser' && e.attempt === attempt), 90_000, `attempt ${attempt}`);
      const victim = handleFor(workerOf(rec.events, taskId) ?? '');
      await victim.kill('SIGKILL');
      await victim.restart();
    }
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'the stall limit');
    const { taskId: fine } = await user.api.task.create.mutate({ accountId: other.id, title: '其他任务照常', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === fine && isTerminal(e)), 90_000, 'another task');
    rec.stop();
    const last = rec.of(taskId).at(-1);
    expect(last).toMatchObject({ status: 'failed', error: { code: 'WORKER_LOST', retryable: false } });
    // STALL_LIMIT=2: three deaths end it; no fourth attempt started.
    expect(rec.of(taskId).filter((e) => e.stage === 'browser')).toHaveLength(3);
    expect(rec.of(fine).at(-1)?.status).toBe('success');
  });

  it('shares a batch of 40 between two workers: both work, all 40 succeed, 40 articles', async () => {
    await ensureWorkersRunning();
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const batch = await user.api.task.createBatch.mutate({ accountId: account.id, articles: Array.from({ length: 40 }, (_, i) => article(i)) });
    const ids = batch.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, '40 tasks');
    rec.stop();
    expect(ids.filter((id) => rec.of(id).at(-1)?.status === 'success')).toHaveLength(40);
    const byWorker = new Map<string, number>();
    for (const id of ids) {
      const w = workerOf(rec.events, id) ?? '?';
      byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
    }
    expect([...byWorker.keys()].sort()).toEqual(stack.workers.map((w) => w.env.WORKER_ID).sort());
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(40);
    // Counts arrive with each worker's next beat, written as its task ends: wait for them briefly.
    const workers = await waitFor(async () => {
      const list = await user.api.worker.list.query();
      return list.reduce((n, w) => n + w.done, 0) >= 40 && list;
    }, 'the workers to report 40 tasks done', 10_000).catch(() => user.api.worker.list.query());
    expect(workers.filter((w) => w.alive)).toHaveLength(2);
    expect(workers.reduce((n, w) => n + w.done, 0)).toBeGreaterThanOrEqual(40);
  });
});
