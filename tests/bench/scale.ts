/**
 * The task state at scale (issue 12): 10 users with 100,000 ended tasks each (1,000,000 in all),
 * then a server started on them: time to ready, memory, `task.list` at the top and 50,000 rows
 * deep, a page whose rows come from MongoDB, `stats.summary`, a dispatcher pass, and Redis memory.
 *
 * The history goes in through a bulk path that leaves what the API leaves (tests/lifecycle/
 * history.test.ts checks it against tasks that went through the API): the documents of a publish
 * through the sandbox (task, body, timeline, claim, and the evidence of a failed attempt), and in
 * Redis what the state scripts keep (TaskStates.index: the same script a rebuild uses).
 */
import { randomUUID } from 'node:crypto';
import { createRedis, createLogger, redisKeys, TaskStates, type StoredTask } from '@zpub/shared/node';
import type mongoose from 'mongoose';
import { Types } from 'mongoose';
import type { BenchOutcome } from './lib/report';
import { benchStack, cpuSeconds, makeUsers, processRss, sleep } from './lib/stack';
import { mb, ms, percentile } from './lib/stats';
import type { Benchmark } from './lib/types';

// ---------- the bulk path ----------

export type EndedStatus = 'success' | 'failed' | 'cancelled' | 'unconfirmed';

/** One ended task, as the facts of its life: who, what, and when each step of its publish happened. */
export interface HistoryTask {
  id: Types.ObjectId;
  userId: Types.ObjectId;
  accountId: Types.ObjectId;
  title: string;
  content: string;
  batchId?: Types.ObjectId | undefined;
  /** When it was scheduled for (its creation then says `scheduled`). */
  scheduledAt?: number | undefined;
  status: EndedStatus;
  workerId: string;
  /** The sandbox (or Zhihu) origin the article pages are on. */
  origin: string;
  /** Times (ms) of the steps: a cancelled task has only `created` and `finished`. */
  at: { created: number; queued: number; started: number; login: number; editor: number; submitted: number; redirected: number; finished: number };
  error?: { code: string; message: string; retryable: boolean } | undefined;
  articleId?: string | undefined;
}

export interface HistoryDocs {
  task: Record<string, unknown> & { _id: Types.ObjectId };
  content: { _id: Types.ObjectId; content: string };
  timeline: { _id: Types.ObjectId; events: Record<string, unknown>[] };
  claim: Record<string, unknown> | null;
  evidence: Record<string, unknown> | null;
}

/** A tiny JPEG (1x1, grey): the screenshot a failed attempt keeps. */
const SCREENSHOT = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'base64',
);

const eventId = (ms: number) => `${String(ms).padStart(13, '0')}-000000`;

/**
 * The documents the API leaves for an ended task (the sandbox's publish flow as the worker reports
 * it): the task as the projector writes it, its body, its timeline, the claim of its one attempt
 * and, for a failed or unconfirmed one, the evidence with its screenshot. Messages are the
 * worker's words of today; nothing reads them but people.
 */
export function historyDocs(t: HistoryTask): HistoryDocs {
  const iso = (ms: number) => new Date(ms).toISOString();
  const ev = (ms: number, v: number, attempt: number, status: string, progress: number, stage: string, extra: Record<string, unknown> = {}) => ({
    id: eventId(ms),
    attempt,
    v,
    status,
    progress,
    stage,
    ...extra,
    at: iso(ms),
  });
  const a = t.at;
  // A plain creation is left out of the timeline, as the projector does (isPlainCreation).
  const events: Record<string, unknown>[] = t.scheduledAt === undefined ? [] : [ev(a.created, 0, 0, 'pending', 0, 'scheduled')];
  const articleUrl = `${t.origin}/p/${t.articleId ?? ''}`;
  const editUrl = `${t.origin}/p/${t.articleId ?? ''}/edit`;
  let progress = 0;
  if (t.status === 'cancelled') {
    events.push(ev(a.finished, 1, 0, 'cancelled', 0, 'cancelled', { message: 'cancelled by the user' }));
  } else {
    events.push(
      ev(a.queued, 1, 0, 'queued', 5, 'queued'),
      ev(a.started, 2, 1, 'running', 10, 'browser', { message: `started by worker ${t.workerId}` }),
      ev(a.login, 3, 1, 'running', 20, 'login', { message: 'logged in' }),
      ev(a.editor, 4, 1, 'running', 40, 'editor', { message: "title and body filled (today's editor)" }),
      ev(a.submitted, 5, 1, 'running', 60, 'submitted', { message: 'publish clicked' }),
    );
    progress = 60;
    if (t.status === 'success') {
      const result = { url: articleUrl, articleId: t.articleId ?? '' };
      events.push(
        ev(a.redirected, 6, 1, 'running', 80, 'redirected', { message: `article page /p/${t.articleId ?? ''} reached` }),
        ev(a.finished, 7, 1, 'success', 100, 'verified', { message: "the article page, opened in the account's session, says published", result }),
      );
      progress = 100;
    } else {
      const error = t.error ?? { code: 'INTERNAL', message: 'failed', retryable: false };
      events.push(ev(a.finished, 6, 1, t.status, 60, t.status, { message: error.message, error }));
    }
  }
  const last = events[events.length - 1] as { v: number; stage: string };
  const task: HistoryDocs['task'] = {
    _id: t.id,
    userId: t.userId,
    accountId: t.accountId,
    platform: 'sandbox',
    title: t.title,
    topics: [],
    priority: 'normal',
    // Options not given are left out, as task.create leaves them out (tasks.ts).
    ...(t.batchId ? { batchId: t.batchId } : {}),
    // Every task saved since the field exists says what it does; the bench publishes new articles.
    mode: 'publish',
    status: t.status,
    progress,
    stage: last.stage,
    attempt: t.status === 'cancelled' ? 0 : 1,
    v: last.v,
    createdAt: new Date(a.created),
    updatedAt: new Date(a.finished),
    lastEventId: eventId(a.finished),
    finishedAt: new Date(a.finished),
  };
  if (t.scheduledAt !== undefined) task.scheduledAt = new Date(t.scheduledAt);
  let claim: HistoryDocs['claim'] = null;
  let evidence: HistoryDocs['evidence'] = null;
  if (t.status !== 'cancelled') {
    task.startedAt = new Date(a.started);
    task.submittedAt = new Date(a.submitted);
    claim = { _id: `${t.id.toString()}:1`, taskId: t.id, token: `${t.workerId}.${randomUUID()}`, workerId: t.workerId, at: new Date(a.started), submittedAt: new Date(a.submitted) };
  }
  if (t.status === 'success') task.result = { url: articleUrl, articleId: t.articleId ?? '' };
  if (t.status === 'failed' || t.status === 'unconfirmed') {
    task.error = t.error;
    const at = new Date(a.finished - 9);
    task.evidence = { url: editUrl, pageTitle: '写文章 - 知乎', screenshot: true, at };
    evidence = { _id: `${t.id.toString()}:1`, taskId: t.id, userId: t.userId, attempt: 1, url: editUrl, pageTitle: '写文章 - 知乎', screenshot: SCREENSHOT, at };
  }
  return { task, content: { _id: t.id, content: t.content }, timeline: { _id: t.id, events }, claim, evidence };
}

/**
 * Writes a history in bulk: the documents into MongoDB (one insert per collection), then into
 * Redis what the state scripts would have kept for them (TaskStates.index, no version stride:
 * MongoDB is exactly what the API left).
 */
export async function seedHistory(db: mongoose.Connection, states: TaskStates, docs: readonly HistoryDocs[]): Promise<void> {
  if (docs.length === 0) return;
  const claims = docs.flatMap((d) => (d.claim ? [d.claim] : []));
  const evidence = docs.flatMap((d) => (d.evidence ? [d.evidence] : []));
  await Promise.all([
    db.collection('tasks').insertMany(docs.map((d) => d.task), { ordered: false }),
    db.collection('task_contents').insertMany(docs.map((d) => d.content), { ordered: false }),
    db.collection('task_timelines').insertMany(docs.map((d) => d.timeline), { ordered: false }),
    claims.length > 0 ? db.collection('task_claims').insertMany(claims, { ordered: false }) : null,
    evidence.length > 0 ? db.collection('evidence').insertMany(evidence, { ordered: false }) : null,
  ]);
  // historyDocs builds every field a StoredTask names, with the types a lean read gives back.
  await states.index(
    docs.map((d) => d.task as unknown as StoredTask),
    0,
  );
}

// ---------- the benchmark ----------

const USERS = 10;
const LIVE_PER_USER = 20;
const CHUNK = 2000;
const DAY = 24 * 3600 * 1000;
/** Tasks changed at once on top of the history, for the projection figure. */
const CHANGES = 100;
/** How long the projection of those changes may take before the bench stops waiting. */
const PROJECTION_PATIENCE_MS = 10 * 60_000;
const CODES = ['PUBLISH_TIMEOUT', 'LOGIN_EXPIRED', 'RISK_CONTROL', 'EDITOR_CHANGED'] as const;

/** The i-th of `total` ended tasks of a user, created over the last six days. */
function benchTask(userId: string, accountId: string, user: number, i: number, total: number, now: number): HistoryTask {
  const created = now - 6 * DAY + Math.floor((i / total) * 6 * DAY);
  // Creation time in the id's first four bytes, as ObjectIds made at that time have.
  const id = new Types.ObjectId(`${Math.floor(created / 1000).toString(16).padStart(8, '0')}${user.toString(16).padStart(2, '0')}${i.toString(16).padStart(14, '0')}`);
  const roll = i % 100;
  const status: EndedStatus = roll < 88 ? 'success' : roll < 94 ? 'failed' : roll < 97 ? 'cancelled' : 'unconfirmed';
  const started = created + 250;
  const code = status === 'unconfirmed' ? 'PUBLISH_TIMEOUT' : (CODES[i % CODES.length] ?? 'INTERNAL');
  return {
    id,
    userId: new Types.ObjectId(userId),
    accountId: new Types.ObjectId(accountId),
    title: `历史文章 ${user}-${i}`,
    content: `正文 ${user}-${i}`,
    status,
    workerId: 'bench-worker',
    origin: 'http://127.0.0.1:3100',
    at: {
      created,
      queued: created + 150,
      started,
      login: started + 2000,
      editor: started + 6000,
      submitted: started + 6050,
      redirected: started + 7000,
      finished: status === 'cancelled' ? created + 60_000 : started + 8000 + (i % 50) * 200,
    },
    error: status === 'failed' || status === 'unconfirmed' ? { code, message: `seeded ${code}`, retryable: false } : undefined,
    articleId: status === 'success' ? String(1e18 + user * 1e7 + i) : undefined,
  };
}

/** Bucketed histogram from /metrics: count, sum and the upper bound holding the 95th percentile. */
function histogram(metrics: string, name: string): { count: number; sum: number; p95Le: string } {
  const count = Number(new RegExp(`^${name}_count (\\S+)`, 'm').exec(metrics)?.[1] ?? 0);
  const sum = Number(new RegExp(`^${name}_sum (\\S+)`, 'm').exec(metrics)?.[1] ?? 0);
  let p95Le = 'n/a';
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`, 'gm'))) {
    if (Number(m[2]) >= 0.95 * count) {
      p95Le = m[1] ?? 'n/a';
      break;
    }
  }
  return { count, sum, p95Le };
}

/** Task documents the server read from MongoDB since it started (all reasons). */
function documentsRead(metrics: string): number {
  let n = 0;
  for (const m of metrics.matchAll(/^zpub_task_documents_read_total\{[^}]*\} (\S+)/gm)) n += Number(m[1]);
  return n;
}

export const scaleBenchmark: Benchmark = {
  key: 'scale',
  title: 'The task state at scale (1,000,000 tasks)',
  async run(ctx): Promise<BenchOutcome> {
    const total = Number(process.env.BENCH_SCALE_TASKS ?? (ctx.quick ? 20_000 : 1_000_000));
    const perUser = Math.floor(total / USERS);
    await using stack = await benchStack({ workers: 0 });
    const users = await makeUsers(stack.urls.app, USERS, 'scale');
    const now = Date.now();
    for (const u of users) {
      const res = await u.user.api.task.createBatch.mutate({
        accountId: u.accountId,
        articles: Array.from({ length: LIVE_PER_USER }, (_, i) => ({ title: `待发布 ${i}`, content: '正文', scheduledAt: new Date(now + 30 * DAY).toISOString() })),
      });
      if (res.created.length !== LIVE_PER_USER) throw new Error(`createBatch created ${res.created.length} of ${LIVE_PER_USER}`);
    }
    const db = await stack.db();
    const redis = createRedis(stack.urls.redis, createLogger('bench', 'silent'), 'bench');
    await redis.connect();
    const keys = redisKeys(stack.prefix);
    const states = new TaskStates(redis, keys);
    const seedStart = Date.now();
    for (const [n, u] of users.entries()) {
      const me = await u.user.api.auth.me.query();
      if (!me) throw new Error('the user is not signed in');
      for (let i = 0; i < perUser; i += CHUNK) {
        const docs = Array.from({ length: Math.min(CHUNK, perUser - i) }, (_, j) => historyDocs(benchTask(me.id, u.accountId, n, i + j, perUser, now)));
        await seedHistory(db, states, docs);
      }
      ctx.log(`seeded user ${n + 1}/${USERS}: ${((n + 1) * perUser).toLocaleString('en')} tasks in ${Math.round((Date.now() - seedStart) / 1000)} s`);
    }
    const seedS = (Date.now() - seedStart) / 1000;

    await stack.server.stop();
    const t0 = performance.now();
    await stack.server.restart();
    const readyMs = performance.now() - t0;
    ctx.log(`server ready in ${ms(readyMs)}`);
    const startMetrics = await (await fetch(`${stack.urls.app}/metrics`)).text();
    const readAtStart = documentsRead(startMetrics);
    const phases = [...startMetrics.matchAll(/^zpub_server_start_phase_seconds\{phase="([^"]+)"\} (\S+)/gm)].map((m) => `${m[1]} ${ms(1000 * Number(m[2]))}`);
    ctx.log(`start by phase: ${phases.join(', ')}`);
    await sleep(5000);
    const rss = processRss(stack.server.pid);
    ctx.log(`server RSS ${mb(rss)}; task documents read at start: ${readAtStart}`);

    const u = users[0];
    if (!u) throw new Error('no user');
    const api = u.user.api;
    // Sessions survive the restart; warm up once.
    const first = await api.task.list.query({ limit: 50 });
    if (first.total !== perUser + LIVE_PER_USER) throw new Error(`the list counts ${first.total} tasks, not ${perUser + LIVE_PER_USER}`);
    const rounds = ctx.quick ? 20 : 100;
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const firstPage: number[] = [];
    for (let i = 0; i < rounds; i++) firstPage.push(await time(() => api.task.list.query({ limit: 50 })));
    // A cursor 50,000 rows deep, reached by paging as a client would.
    const depth = Math.min(50_000, perUser);
    let cursor: string | null = null;
    for (let seen = 0; seen < depth; ) {
      const page: { items: unknown[]; nextCursor: string | null } = await api.task.list.query({ limit: 100, ...(cursor ? { cursor } : {}) });
      seen += page.items.length;
      cursor = page.nextCursor;
      if (!cursor) throw new Error(`the list ended after ${seen} rows`);
    }
    const deepCursor = cursor ?? '';
    const deepPage: number[] = [];
    for (let i = 0; i < rounds; i++) deepPage.push(await time(() => api.task.list.query({ limit: 50, cursor: deepCursor })));
    const filtered: number[] = [];
    for (let i = 0; i < rounds; i++) filtered.push(await time(() => api.task.list.query({ limit: 50, status: ['failed', 'unconfirmed'], sort: 'updatedAt' })));
    // The same deep page once its rows have left Redis (ended more than TASK_ROW_TTL_S ago): they
    // are read from MongoDB by _id.
    const deepIds = (await api.task.list.query({ limit: 50, cursor: deepCursor })).items.map((r) => r.id);
    await redis.del(deepIds.map((id) => keys.task(id)));
    const fromMongo: number[] = [];
    for (let i = 0; i < Math.ceil(rounds / 2); i++) fromMongo.push(await time(() => api.task.list.query({ limit: 50, cursor: deepCursor })));
    const stats: number[] = [];
    for (let i = 0; i < Math.ceil(rounds / 2); i++) stats.push(await time(() => api.stats.summary.query()));
    const summary = await api.stats.summary.query();
    if (summary.total !== perUser + LIVE_PER_USER) throw new Error(`stats.summary counts ${summary.total} tasks, not ${perUser + LIVE_PER_USER}`);

    // Changes on top of the history. The detail of a task reads its body, timeline and settings
    // from MongoDB by _id; its timeline is what the projector wrote, so it lags the live state by
    // the projection time measured next: CHANGES tasks cancelled at once, until MongoDB holds them
    // all cancelled (one document polled meanwhile, all checked at the end).
    const newest = (await api.task.list.query({ limit: 1 })).items[0]?.id;
    if (!newest) throw new Error('no task to open');
    const detail: number[] = [];
    for (let i = 0; i < rounds; i++) detail.push(await time(() => api.task.byId.query({ id: newest })));
    const batch = await api.task.createBatch.mutate({
      accountId: u.accountId,
      articles: Array.from({ length: CHANGES }, (_, i) => ({ title: `改期 ${i}`, content: '正文', scheduledAt: new Date(now + 30 * DAY).toISOString() })),
    });
    const changedIds = batch.created.map((c) => c.taskId);
    if (changedIds.length !== CHANGES) throw new Error(`createBatch created ${changedIds.length} of ${CHANGES}`);
    const tasksCol = db.collection('tasks');
    const statusOf = async (id: string) => (await tasksCol.findOne({ _id: new Types.ObjectId(id) }, { projection: { status: 1 } }))?.status as string | undefined;
    // Their creation events are projected too (timelines); start from a caught-up projector.
    await sleep(3000);
    const ferretPid = stack.ferret?.pid;
    const ferretCpu0 = ferretPid ? cpuSeconds(ferretPid) : 0;
    const c0 = performance.now();
    const cancelled = await api.task.cancelMany.mutate({ ids: changedIds });
    if (cancelled.changed.length !== CHANGES) throw new Error(`cancelMany changed ${cancelled.changed.length} of ${CHANGES}`);
    const lastId = changedIds[changedIds.length - 1] ?? '';
    while ((await statusOf(lastId)) !== 'cancelled' && performance.now() - c0 < PROJECTION_PATIENCE_MS) await sleep(100);
    const projectMs = performance.now() - c0;
    const ferretCpuMs = ferretPid ? 1000 * (cpuSeconds(ferretPid) - ferretCpu0) : NaN;
    const projectedCount = (await Promise.all(changedIds.map(statusOf))).filter((st) => st === 'cancelled').length;
    const projectedAll = projectedCount === CHANGES && projectMs < PROJECTION_PATIENCE_MS;
    ctx.log(`${CHANGES} cancellations projected: ${projectedCount} in ${ms(projectMs)}, FerretDB CPU ${ms(ferretCpuMs)}`);

    // The dispatcher passes every second while it leads; let a few go by.
    await sleep(5000);
    const metrics = await (await fetch(`${stack.urls.app}/metrics`)).text();
    const pass = histogram(metrics, 'zpub_dispatch_pass_seconds');
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    const redisMem = await usedMemory();
    // An ended task's row leaves Redis TASK_ROW_TTL_S after it ended (7 days by default); its index
    // entries and counts stay. Drop the ended rows as their expiry would, and measure again: what
    // is left is what Redis keeps for every task for good.
    const live = new Set(await redis.sMembers(keys.live));
    const rowPrefix = keys.task('');
    for await (const batch of redis.scanIterator({ MATCH: `${rowPrefix}*`, COUNT: 5000 })) {
      const ended = batch.filter((key) => !live.has(key.slice(rowPrefix.length)));
      if (ended.length > 0) await redis.unlink(ended);
    }
    await sleep(1000);
    const indexMem = await usedMemory();
    await redis.quit();

    const p95 = (xs: number[]) => percentile(xs, 95);
    const tasks = (perUser * USERS).toLocaleString('en');
    return {
      method:
        `${USERS} users; each has ${perUser.toLocaleString('en')} ended tasks created over the last six days (88 % success, 6 % failed, 3 % cancelled, 3 % unconfirmed), ` +
        `written in bulk as the API leaves them (task, body, timeline, claim, and evidence of a failure in MongoDB, ${CHUNK} per insert; rows, indexes and counts in Redis through the script a rebuild uses), ` +
        `and ${LIVE_PER_USER} live tasks submitted through task.createBatch (scheduled a month ahead). ` +
        'Then the server is stopped and started again on that history: ready is from the start to /healthz answering; RSS 5 s later. ' +
        `List and statistics calls are made one at a time by one of the users through the tRPC client (${rounds} calls each; statistics and the MongoDB page ${Math.ceil(rounds / 2)}); ` +
        'the deep page is reached by paging 100 rows at a time, then asked for again and again; for the MongoDB page, the rows of that page are dropped from Redis first (as a week after they ended). ' +
        `Then the detail of the newest task (task.byId: its body, timeline and settings read from MongoDB by _id) ${rounds} times, and ${CHANGES} more tasks are created (scheduled) and cancelled with one task.cancelMany: ` +
        "the projection figure runs from that call until MongoDB holds all of them cancelled (the task page's timeline comes from there), with FerretDB's CPU time over the same span. " +
        "The dispatcher pass time comes from the server's own histogram.",
      figures: [
        { label: 'tasks seeded', value: `${tasks} (+ ${USERS * LIVE_PER_USER} live) in ${seedS.toFixed(0)} s` },
        { label: 'server ready after a restart', value: ms(readyMs) },
        { label: "where the start went (the server's own phases; the rest is spawning the process and the first /healthz)", value: phases.join(', ') || 'n/a' },
        { label: 'task documents read from MongoDB at start', value: String(readAtStart) },
        { label: 'server RSS after start', value: mb(rss) },
        { label: 'task.list first page p50 / p95', value: `${ms(percentile(firstPage, 50))} / ${ms(p95(firstPage))}` },
        { label: `task.list ${depth.toLocaleString('en')} rows deep p50 / p95`, value: `${ms(percentile(deepPage, 50))} / ${ms(p95(deepPage))}` },
        { label: 'task.list failed + unconfirmed by last change p50 / p95', value: `${ms(percentile(filtered, 50))} / ${ms(p95(filtered))}` },
        { label: 'task.list, 50 rows from MongoDB, p50 / p95', value: `${ms(percentile(fromMongo, 50))} / ${ms(p95(fromMongo))}` },
        { label: 'stats.summary (7 days) p50 / p95', value: `${ms(percentile(stats, 50))} / ${ms(p95(stats))}` },
        { label: 'task.byId (the detail page) of the newest task p50 / p95', value: `${ms(percentile(detail, 50))} / ${ms(p95(detail))}` },
        {
          label: `${CHANGES} tasks cancelled at once: until MongoDB holds them all cancelled (the projector's writes); FerretDB CPU meanwhile`,
          value: `${projectedAll ? ms(projectMs) : `${projectedCount} of ${CHANGES} after ${ms(projectMs)}`}; ${ms(ferretCpuMs)} (${ms(ferretCpuMs / CHANGES)} per task)`,
        },
        { label: 'dispatcher passes: count, mean, 95 % at most', value: `${pass.count}, ${ms((1000 * pass.sum) / Math.max(1, pass.count))}, ${pass.p95Le} s` },
        { label: 'Redis used memory, rows kept (ended < TASK_ROW_TTL_S ago)', value: `${mb(redisMem)} (${Math.round(redisMem / Math.max(1, perUser * USERS))} bytes per task)` },
        { label: 'Redis used memory once ended rows expired (indexes and counts only)', value: `${mb(indexMem)} (${Math.round(indexMem / Math.max(1, perUser * USERS))} bytes per task)` },
      ],
      targets: [
        { what: 'server ready', target: '≤ 5 s', measured: ms(readyMs), pass: readyMs <= 5000 },
        { what: 'RSS after start', target: '≤ 300 MB', measured: mb(rss), pass: rss <= 300 * 1024 * 1024 },
        { what: 'task.list first page p95', target: '≤ 50 ms', measured: ms(p95(firstPage)), pass: p95(firstPage) <= 50 },
        { what: `task.list ${depth.toLocaleString('en')} rows deep p95`, target: '≤ 50 ms', measured: ms(p95(deepPage)), pass: p95(deepPage) <= 50 },
        { what: 'stats.summary p95', target: '≤ 200 ms', measured: ms(p95(stats)), pass: p95(stats) <= 200 },
        { what: 'task.byId of the newest task p95', target: '≤ 50 ms', measured: ms(p95(detail)), pass: p95(detail) <= 50 },
        {
          what: `${CHANGES} cancellations projected into MongoDB`,
          target: '≤ 5 s',
          measured: projectedAll ? ms(projectMs) : `${projectedCount} of ${CHANGES} in ${ms(projectMs)}`,
          pass: projectedAll && projectMs <= 5000,
        },
        { what: 'dispatcher pass', target: 'stated', measured: `mean ${ms((1000 * pass.sum) / Math.max(1, pass.count))}`, pass: null },
      ],
      notes: total === 1_000_000 ? [] : [`_Run with BENCH_SCALE_TASKS=${total}: not the 1,000,000 the targets are set for._`],
    };
  },
};
