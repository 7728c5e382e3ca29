/**
 * The task state at scale (issue 12): 10 users with 100,000 tasks each (1,000,000 in all), then a
 * server started on them: time to ready, memory, `task.list` at the top and 50,000 rows deep,
 * `stats.summary`, and how long one dispatcher pass takes. The history is written straight into
 * MongoDB as the projector leaves ended tasks (a document and a body each; BENCH_SCALE_TASKS
 * changes the total), and each user also has 20 live tasks submitted through the API.
 */
import { Types } from 'mongoose';
import { createClient } from 'redis';
import type { BenchOutcome } from './lib/report';
import { benchStack, makeUsers, processRss, sleep } from './lib/stack';
import { mb, ms, percentile } from './lib/stats';
import type { Benchmark } from './lib/types';

const USERS = 10;
const LIVE_PER_USER = 20;
const INSERT_CHUNK = 2000;
const DAY = 24 * 3600 * 1000;
const CODES = ['PUBLISH_TIMEOUT', 'LOGIN_EXPIRED', 'RISK_CONTROL', 'EDITOR_CHANGED'] as const;

/** Ended tasks as the projector leaves them, created over the last six days. */
function historyDocs(userId: string, accountId: string, user: number, from: number, count: number, total: number, now: number) {
  const docs: ({ _id: Types.ObjectId; title: string } & Record<string, unknown>)[] = [];
  for (let i = from; i < from + count; i++) {
    const createdAt = now - 6 * DAY + Math.floor((i / total) * 6 * DAY);
    // Creation time in the id's first four bytes, as ObjectIds made at that time have.
    const id = new Types.ObjectId(`${Math.floor(createdAt / 1000).toString(16).padStart(8, '0')}${user.toString(16).padStart(2, '0')}${i.toString(16).padStart(14, '0')}`);
    const roll = i % 100;
    const status = roll < 88 ? 'success' : roll < 94 ? 'failed' : roll < 97 ? 'cancelled' : 'unconfirmed';
    const startedAt = createdAt + 2000;
    const finishedAt = startedAt + 8000 + (i % 50) * 200;
    const doc: { _id: Types.ObjectId; title: string } & Record<string, unknown> = {
      _id: id,
      userId: new Types.ObjectId(userId),
      accountId: new Types.ObjectId(accountId),
      platform: 'sandbox',
      title: `历史文章 ${user}-${i}`,
      topics: ['基准'],
      priority: 'normal',
      status,
      progress: status === 'success' ? 100 : 60,
      stage: status === 'success' ? 'verified' : status,
      attempt: 1,
      v: 6,
      startedAt: new Date(startedAt),
      finishedAt: new Date(finishedAt),
      lastEventId: `${String(finishedAt).padStart(13, '0')}-000000`,
      createdAt: new Date(createdAt),
      updatedAt: new Date(finishedAt),
    };
    if (status === 'success') doc.result = { url: `http://127.0.0.1/p/${1e15 + i}`, articleId: String(1e15 + i) };
    if (status === 'failed' || status === 'unconfirmed') {
      const code = status === 'unconfirmed' ? 'PUBLISH_TIMEOUT' : (CODES[i % CODES.length] ?? 'INTERNAL');
      doc.error = { code, message: `seeded ${code}`, retryable: false };
    }
    docs.push(doc);
  }
  return docs;
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

export const scaleBenchmark: Benchmark = {
  key: 'scale',
  title: 'The task state at scale (1,000,000 tasks)',
  async run(ctx): Promise<BenchOutcome> {
    const total = Number(process.env.BENCH_SCALE_TASKS ?? (ctx.quick ? 20_000 : 1_000_000));
    const perUser = Math.floor(total / USERS);
    // Loading every task at start takes long at this size: give the server all the time it needs.
    await using stack = await benchStack({ workers: 0, readyTimeoutMs: 1_800_000 });
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
    const seedStart = Date.now();
    for (const [n, u] of users.entries()) {
      const me = await u.user.api.auth.me.query();
      if (!me) throw new Error('the user is not signed in');
      for (let i = 0; i < perUser; i += INSERT_CHUNK) {
        const docs = historyDocs(me.id, u.accountId, n, i, Math.min(INSERT_CHUNK, perUser - i), perUser, now);
        await Promise.all([
          db.collection('tasks').insertMany(docs, { ordered: false }),
          db.collection('task_contents').insertMany(docs.map((d) => ({ _id: d._id, content: `正文 ${d.title}` })), { ordered: false }),
        ]);
      }
      ctx.log(`seeded user ${n + 1}/${USERS}: ${((n + 1) * perUser).toLocaleString('en')} tasks in ${Math.round((Date.now() - seedStart) / 1000)} s`);
    }
    const seedS = (Date.now() - seedStart) / 1000;

    await stack.server.stop();
    const t0 = performance.now();
    await stack.server.restart();
    const readyMs = performance.now() - t0;
    ctx.log(`server ready in ${ms(readyMs)}`);
    await sleep(5000);
    const rss = processRss(stack.server.pid);
    ctx.log(`server RSS ${mb(rss)}`);

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
    const stats: number[] = [];
    for (let i = 0; i < Math.ceil(rounds / 2); i++) stats.push(await time(() => api.stats.summary.query()));
    const summary = await api.stats.summary.query();
    if (summary.total !== perUser + LIVE_PER_USER) throw new Error(`stats.summary counts ${summary.total} tasks, not ${perUser + LIVE_PER_USER}`);

    // The dispatcher passes every second while it leads; let a few go by.
    await sleep(5000);
    const pass = histogram(await (await fetch(`${stack.urls.app}/metrics`)).text(), 'zpub_dispatch_pass_seconds');
    const redisMem = await (async () => {
      const c = createClient({ url: stack.urls.redis });
      await c.connect();
      const info = await c.info('memory');
      await c.quit();
      return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    })();

    const p95 = (xs: number[]) => percentile(xs, 95);
    const tasks = (perUser * USERS).toLocaleString('en');
    return {
      method:
        `${USERS} users; each has ${perUser.toLocaleString('en')} ended tasks created over the last six days (88 % success, 6 % failed, 3 % cancelled, 3 % unconfirmed), ` +
        `written straight into MongoDB as the projector leaves them (a task document and a body each, ${INSERT_CHUNK} per insert), and ${LIVE_PER_USER} live tasks submitted through task.createBatch (scheduled a month ahead). ` +
        'Then the server is stopped and started again on that history: ready is from the start to /healthz answering; RSS 5 s later. ' +
        `List and statistics calls are made one at a time by one of the users through the tRPC client (${rounds} calls each; statistics ${Math.ceil(rounds / 2)}); ` +
        'the deep page is reached by paging 100 rows at a time, then asked for again and again. The dispatcher pass time comes from the server\'s own histogram.',
      figures: [
        { label: 'tasks seeded', value: `${tasks} (+ ${USERS * LIVE_PER_USER} live) in ${seedS.toFixed(0)} s` },
        { label: 'server ready after a restart', value: ms(readyMs) },
        { label: 'server RSS after start', value: mb(rss) },
        { label: 'task.list first page p50 / p95', value: `${ms(percentile(firstPage, 50))} / ${ms(p95(firstPage))}` },
        { label: `task.list ${depth.toLocaleString('en')} rows deep p50 / p95`, value: `${ms(percentile(deepPage, 50))} / ${ms(p95(deepPage))}` },
        { label: 'stats.summary p50 / p95', value: `${ms(percentile(stats, 50))} / ${ms(p95(stats))}` },
        { label: 'dispatcher passes: count, mean, 95 % at most', value: `${pass.count}, ${ms((1000 * pass.sum) / Math.max(1, pass.count))}, ${pass.p95Le} s` },
        { label: 'Redis used memory', value: mb(redisMem) },
      ],
      targets: [
        { what: 'server ready', target: '≤ 5 s', measured: ms(readyMs), pass: readyMs <= 5000 },
        { what: 'RSS after start', target: '≤ 300 MB', measured: mb(rss), pass: rss <= 300 * 1024 * 1024 },
        { what: 'task.list first page p95', target: '≤ 50 ms', measured: ms(p95(firstPage)), pass: p95(firstPage) <= 50 },
        { what: `task.list ${depth.toLocaleString('en')} rows deep p95`, target: '≤ 50 ms', measured: ms(p95(deepPage)), pass: p95(deepPage) <= 50 },
        { what: 'stats.summary p95', target: '≤ 200 ms', measured: ms(p95(stats)), pass: p95(stats) <= 200 },
        { what: 'dispatcher pass', target: 'stated', measured: `mean ${ms((1000 * pass.sum) / Math.max(1, pass.count))}`, pass: null },
      ],
      notes: total === 1_000_000 ? [] : [`_Run with BENCH_SCALE_TASKS=${total}: not the 1,000,000 the targets are set for._`],
    };
  },
};
