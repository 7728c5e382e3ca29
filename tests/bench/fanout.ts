/**
 * Fan-out: 1,000 live `task.onUpdate` subscriptions on one server process (100 users, 10 tabs
 * each) while one worker publishes real tasks, and meanwhile every user submits a batch of
 * scheduled articles at some moment and cancels it two seconds later. Every subscriber must
 * receive exactly its user's events as the Redis stream holds them; latency is receipt − `at`.
 */
import { createClient } from 'redis';
import { delta, percentileBound, readHistogram } from './lib/histogram';
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until, type Received } from './lib/sse';
import { SANDBOX_DELAY_MS, benchStack, cpuSeconds, makeUsers, processRss, sleep, type BenchUser, type ProfiledStack } from './lib/stack';
import { fixed, mb, median, ms, percentile, spread } from './lib/stats';
import type { Benchmark } from './lib/types';

const USERS = 100;
const TABS = 10;
const REAL_USERS = 20;
const REAL_PER_USER = 2;
const BURST = 10;
/** The users' batches are spread over this long, while the real tasks run. */
const SPREAD_MS = 20_000;
/** The server's histogram of the first leg: event written → read from the stream by the server. */
const RELAY = 'zpub_event_relay_delay_seconds';

interface StreamEntry {
  id: string;
  userId: string;
}

/** Every event in the stream after `after` (a stream id), by user: what each subscriber is owed. */
async function owed(redisUrl: string, key: string, after: string): Promise<Map<string, Set<string>>> {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    const out = new Map<string, Set<string>>();
    let cursor = `(${after}`;
    for (;;) {
      const chunk = (await redis.xRange(key, cursor, '+', { COUNT: 2000 })) as { id: string; message: Record<string, string> }[];
      if (chunk.length === 0) break;
      for (const m of chunk) {
        const e = JSON.parse(m.message.e ?? '{}') as StreamEntry;
        const [ms, seq] = m.id.split('-');
        const id = `${ms}-${(seq ?? '0').padStart(6, '0')}`;
        let set = out.get(e.userId);
        if (!set) out.set(e.userId, (set = new Set()));
        set.add(id);
      }
      cursor = `(${chunk[chunk.length - 1]?.id ?? '+'}`;
    }
    return out;
  } finally {
    await redis.quit();
  }
}

async function lastStreamId(redisUrl: string, key: string): Promise<string> {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    const last = (await redis.xRevRange(key, '+', '-', { COUNT: 1 })) as { id: string }[];
    return last[0]?.id ?? '0-0';
  } finally {
    await redis.quit();
  }
}

interface Round {
  deliveries: number;
  p95: number;
  lat: number[];
  rssIdle: number;
  rssSubs: number;
  rssPeak: number;
  connectMs: number;
  profile: string;
  /** From an event written to the server reading it from the stream (its own histogram). */
  serverLeg: string;
  idleCpu: number;
  seconds: number;
}

async function round(stack: ProfiledStack, users: BenchUser[], r: number, log: (m: string) => void): Promise<Round> {
  const key = `${stack.prefix}:events`;
  const rssIdle = processRss(stack.server.pid);
  const t0 = performance.now();
  const subs: { user: string; sub: SseSubscriber }[] = [];
  for (const u of users) {
    const me = (await u.user.api.auth.me.query())?.id ?? '';
    const batch = Array.from({ length: TABS }, () => ({ user: me, sub: new SseSubscriber(stack.urls.app, u.user.cookie) }));
    await Promise.all(batch.map((b) => b.sub.ready));
    subs.push(...batch);
  }
  const connectMs = performance.now() - t0;
  const after = await lastStreamId(stack.urls.redis, key);
  const rssSubs = processRss(stack.server.pid);
  let rssPeak = rssSubs;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, processRss(stack.server.pid))), 200);
  // What holding 1,000 open subscriptions costs the server when nothing happens.
  const idle0 = cpuSeconds(stack.server.pid);
  await sleep(5000);
  const idleCpu = (cpuSeconds(stack.server.pid) - idle0) / 5;
  log(`${subs.length} subscribers connected in ${ms(connectMs)}; server RSS ${mb(rssIdle)} → ${mb(rssSubs)}; idle CPU ${fixed(idleCpu, 2)} cores`);
  await stack.profile('');
  const relay0 = await readHistogram(stack.urls.app, RELAY);
  try {
    // Real tasks for the first users; they run on the worker while the bursts go on.
    const real = await Promise.all(
      users.slice(0, REAL_USERS).map((u, i) =>
        u.user.api.task.createBatch.mutate({
          accountId: u.accountId,
          articles: Array.from({ length: REAL_PER_USER }, (_, k) => ({ title: `扇出 ${r}-${i}-${k}`, content: '正文' })),
        }),
      ),
    );
    const realIds = new Set(real.flatMap((b) => b.created.map((c) => c.taskId)));
    const watcher = subs[0]?.sub;
    if (!watcher) throw new Error('no subscriber');
    await until(() => watcher.events.some((e) => e.stage === 'login'), 60_000, 'the first task to log in');
    // Every user, at some moment while the tasks run, submits a batch of scheduled articles and
    // cancels it two seconds later.
    const when = new Date(Date.now() + 86_400_000).toISOString();
    await Promise.all(
      users.map(async (u, i) => {
        await sleep((SPREAD_MS * i) / users.length);
        const batch = await u.user.api.task.createBatch.mutate({
          accountId: u.accountId,
          articles: Array.from({ length: BURST }, (_, k) => ({ title: `定时 ${r}-${i}-${k}`, content: '稍后发布', scheduledAt: when })),
        });
        await sleep(2000);
        await u.user.api.task.cancelMany.mutate({ ids: batch.created.map((c) => c.taskId) });
      }),
    );
    const ended = () => new Set(watcher.events.filter((e) => TERMINAL.has(e.status) && realIds.has(e.taskId)).map((e) => e.taskId)).size;
    // The first user's tabs see its real tasks end.
    await until(() => ended() === REAL_PER_USER, 180_000, () => `the first user's tasks to end (${ended()} of ${REAL_PER_USER})`);
    // Wait for the real tasks of every user, as seen by the stream, then compare every tab.
    const deadline = Date.now() + 240_000;
    let expected = await owed(stack.urls.redis, key, after);
    for (;;) {
      const terminalReal = [...realIds].filter((id) => subs.some((s) => s.sub.events.some((e) => e.taskId === id && TERMINAL.has(e.status)))).length;
      const missing = subs.filter((s) => (s.sub.events.length ?? 0) < (expected.get(s.user)?.size ?? 0)).length;
      if (terminalReal === realIds.size && missing === 0) break;
      if (Date.now() > deadline) throw new Error(`not delivered: ${missing} subscribers short of their events; ${terminalReal}/${realIds.size} real tasks ended`);
      await sleep(500);
      expected = await owed(stack.urls.redis, key, after);
    }
    await sleep(500);
    expected = await owed(stack.urls.redis, key, after);
    let deliveries = 0;
    const lat: number[] = [];
    for (const s of subs) {
      const want = expected.get(s.user) ?? new Set();
      const got = s.sub.events.map((e: Received) => e.id);
      const gotSet = new Set(got);
      if (gotSet.size !== got.length) throw new Error(`a subscriber of ${s.user} received an event twice`);
      const lost = [...want].filter((id) => !gotSet.has(id));
      const extra = got.filter((id) => !want.has(id));
      if (lost.length > 0 || extra.length > 0) throw new Error(`a subscriber of ${s.user} lost ${lost.length} and got ${extra.length} foreign events`);
      const sortedIds = [...got].sort();
      if (sortedIds.some((id, i) => id !== got[i])) throw new Error(`a subscriber of ${s.user} received events out of order`);
      deliveries += got.length;
      for (const e of s.sub.events) lat.push(e.received - e.at);
    }
    const sp = spread(lat);
    log(`round ${r + 1}: ${deliveries} deliveries, p50 ${ms(sp.p50)}, p95 ${ms(sp.p95)}, max ${ms(sp.max)}; peak RSS ${mb(rssPeak)}`);
    const relay = delta(await readHistogram(stack.urls.app, RELAY), relay0);
    const serverLeg = `p50 ${percentileBound(relay, 50)}, p95 ${percentileBound(relay, 95)} (${relay.count} events)`;
    const profile = await stack.profile(`the server during round ${r + 1} (from the first submission to the last delivery)`);
    return { deliveries, p95: sp.p95, lat, serverLeg, rssIdle, rssSubs, rssPeak, connectMs, profile, idleCpu, seconds: (performance.now() - t0) / 1000 - connectMs / 1000 - 5 };
  } finally {
    clearInterval(sampler);
    for (const s of subs) s.sub.close();
  }
}

export const fanoutBenchmark: Benchmark = {
  key: 'fanout',
  title: 'Fan-out (1,000 subscribers on one server process)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 2;
    await using stack = await benchStack({ workers: 1, profileServer: true, serverEnv: { USER_MAX_RUNNING: '2' } });
    const users = await makeUsers(stack.urls.app, USERS, 'fan');
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      results.push(await round(stack, users, r, ctx.log));
      await sleep(1000);
    }
    const p95 = median(results.map((r) => r.p95));
    const all = results.flatMap((r) => r.lat);
    const last = results.at(-1);
    return {
      method:
        `${rounds} rounds on one stack (one server process, one worker with 4 slots, sandbox delay ${SANDBOX_DELAY_MS} ms). Each round opens ${USERS * TABS} subscriptions ` +
        `(${USERS} users × ${TABS} tabs, plain SSE), then: ${REAL_USERS} users submit ${REAL_PER_USER} real articles each, which the worker publishes; once the first is running, ` +
        `each of the ${USERS} users in turn (spread over ${SPREAD_MS / 1000} s) submits a batch of ${BURST} scheduled articles and cancels it 2 s later. Every subscriber must then hold exactly its user's events ` +
        'from the Redis stream, once each, in order; latency = receipt − the event\'s `at`.',
      figures: [
        { label: 'subscribers', value: String(USERS * TABS) },
        { label: 'deliveries per round', value: results.map((r) => r.deliveries).join(', ') + ' (all delivered, none twice, in order)' },
        { label: 'p95 latency (median of rounds)', value: ms(p95) },
        { label: 'all deliveries', value: `p50 ${ms(percentile(all, 50))}, p95 ${ms(percentile(all, 95))}, p99 ${ms(percentile(all, 99))}, max ${ms(Math.max(...all))}` },
        { label: 'of which: written → read by the server (its histogram; the rest is SSE to the client)', value: results.map((r) => r.serverLeg).join('; ') },
        { label: 'server RSS: idle → 1,000 subscribers → peak', value: last ? `${mb(last.rssIdle)} → ${mb(last.rssSubs)} → ${mb(last.rssPeak)}` : '' },
        { label: 'time to open 1,000 subscriptions', value: ms(median(results.map((r) => r.connectMs))) },
        { label: 'server CPU with 1,000 idle subscriptions', value: `${fixed(median(results.map((r) => r.idleCpu)), 2)} cores` },
        { label: 'round length (first submission to last delivery)', value: results.map((r) => `${fixed(r.seconds, 0)} s`).join(', ') },
      ],
      targets: [
        { what: 'all events delivered', target: 'every event, to every subscriber', measured: 'all', pass: true },
        { what: 'p95', target: '≤ 250 ms', measured: ms(p95), pass: p95 <= 250 },
        { what: 'server memory', target: 'stated', measured: last ? `${mb(last.rssPeak)} peak RSS` : '', pass: null },
      ],
      notes: [
        'The server ran under the V8 sampling profiler (1 ms interval) during the rounds; where its time went in the last one:',
        last?.profile ?? '',
      ],
    };
  },
};
