/**
 * Fan-out: 1,000 live subscriptions (100 users, 10 tabs each) while one worker publishes real
 * tasks on the same machine and every user submits a batch of scheduled articles and cancels it
 * two seconds later. The same workload runs against the server's `task.onUpdate` and against the
 * relay baseline (baselines/relay.ts: the same Redis stream to the same 1,000 sockets, nothing
 * else), round by round in alternating order. Every subscriber must receive exactly its user's
 * events as the stream holds them; latency is receipt − the event's `at`. The server's RSS before
 * the subscribers come and after they leave, each after a full garbage collection, is the leak check.
 */
import type { AppHandle } from '@zpub/devstack';
import { createClient } from 'redis';
import { delta, percentileBound, readHistogram } from './lib/histogram';
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until, type Received } from './lib/sse';
import { SANDBOX_DELAY_MS, benchStack, cpuSeconds, makeUsers, processRss, quiesce, sleep, startBaseline, type BenchUser, type ProfiledStack } from './lib/stack';
import { alternate, fixed, mb, median, ms, pool, spread } from './lib/stats';
import type { Benchmark } from './lib/types';
import { goalAtMost, growthAtMost, ratioAtMost, stated } from './lib/verdict';

const USERS = 100;
const TABS = 10;
const REAL_USERS = 20;
const REAL_PER_USER = 2;
const BURST = 10;
/** The users' batches are spread over this long, while the real tasks run. */
const SPREAD_MS = 20_000;
/** The server's histogram of the first leg: event written → read from the stream by the server. */
const RELAY_METRIC = 'zpub_event_relay_delay_seconds';
/** Server RSS after the subscribers leave may exceed its level before they came by this much. */
export const LEAK_LIMIT = 0.1;
const GOAL_P95_MS = 250;

export type Via = 'system' | 'relay';

/** One stack with its users and (for relay rounds) the relay baseline. */
export interface FanoutRig {
  stack: ProfiledStack;
  users: BenchUser[];
  userIds: string[];
  relay: AppHandle | null;
}

interface StreamEntry {
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
        const [msPart, seq] = m.id.split('-');
        const id = `${msPart}-${(seq ?? '0').padStart(6, '0')}`;
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

async function gauge(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** The median of a few RSS samples, once the processes have gone idle: one sample can catch a GC. */
async function settledRss(pid: number, others: (number | undefined)[]): Promise<number> {
  await quiesce([pid, ...others]);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(processRss(pid));
    await sleep(400);
  }
  return median(samples);
}

/**
 * The server's RSS once idle, twice: as it is (V8 gives a grown heap back only at its next
 * collection, which an idle server may not make for minutes: the same round could read 146 or
 * 164 MB), and after a full collection forced through its inspector, which leaves what the server
 * still holds. A leak survives the collection; the leak check judges that second reading.
 */
async function idleRss(stack: ProfiledStack, others: (number | undefined)[]): Promise<{ idle: number; collected: number }> {
  const idle = await settledRss(stack.server.pid, others);
  if (!(await stack.collectGarbage())) throw new Error('the server did not run the garbage collection asked of it');
  return { idle, collected: await settledRss(stack.server.pid, others) };
}

export interface Round {
  via: Via;
  deliveries: number;
  lat: number[];
  /** From the real tasks' submission to the last one's final event (its `at`). */
  publishS: number;
  realTasks: number;
  /** Server RSS: before the subscribers came and after they left (each after a full collection, idleRss), with them connected, peak. */
  rssBefore: number;
  rssSubs: number;
  rssPeak: number;
  rssAfter: number;
  /** The same two readings without the forced collection (idleRss). */
  rssIdleBefore: number;
  rssIdleAfter: number;
  connectMs: number;
  /** Cores the subscribers' endpoint (server or relay) used while 1,000 of them sat idle. */
  idleCpu: number;
  /** From an event written to the server reading it from the stream (its own histogram). */
  serverLeg: string;
  profile: string;
}

function subscribe(rig: FanoutRig, via: Via, user: number): SseSubscriber {
  const u = rig.users[user];
  if (!u) throw new Error(`no user ${user}`);
  if (via === 'system') return new SseSubscriber(rig.stack.urls.app, u.user.cookie);
  if (!rig.relay) throw new Error('a relay round without the relay');
  const url = new URL('/events', rig.relay.url);
  url.searchParams.set('user', rig.userIds[user] ?? '');
  return new SseSubscriber(url, '');
}

/** One round: subscribers connect through `via`, the workload runs, every delivery is checked, they leave. */
export async function fanoutRound(rig: FanoutRig, via: Via, tag: string, log: (m: string) => void, opts: { profile?: boolean } = {}): Promise<Round> {
  const { stack, users } = rig;
  const key = `${stack.prefix}:events`;
  const others = [stack.ferret?.pid, stack.redis?.pid, rig.relay?.pid];
  const before = await idleRss(stack, others);
  const rssBefore = before.collected;
  const t0 = performance.now();
  const subs: { user: string; sub: SseSubscriber }[] = [];
  for (let i = 0; i < users.length; i++) {
    const batch = Array.from({ length: TABS }, () => ({ user: rig.userIds[i] ?? '', sub: subscribe(rig, via, i) }));
    await Promise.all(batch.map((b) => b.sub.ready));
    subs.push(...batch);
  }
  const connectMs = performance.now() - t0;
  const after = await lastStreamId(stack.urls.redis, key);
  const rssSubs = processRss(stack.server.pid);
  let rssPeak = rssSubs;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, processRss(stack.server.pid))), 200);
  const endpoint = via === 'system' ? stack.server.pid : (rig.relay?.pid ?? stack.server.pid);
  // What holding 1,000 open subscriptions costs when nothing happens.
  const idle0 = cpuSeconds(endpoint);
  await sleep(5000);
  const idleCpu = (cpuSeconds(endpoint) - idle0) / 5;
  log(`${tag} (${via}): ${subs.length} subscribers in ${ms(connectMs)}; server RSS ${mb(rssBefore)} → ${mb(rssSubs)}; idle CPU ${fixed(idleCpu, 2)} cores`);
  if (opts.profile) await stack.profileStart();
  const relay0 = await readHistogram(stack.urls.app, RELAY_METRIC);
  try {
    // Real tasks for the first users; the worker publishes them while the bursts go on.
    const submitted = Date.now();
    const real = await Promise.all(
      users.slice(0, REAL_USERS).map((u, i) =>
        u.user.api.task.createBatch.mutate({
          accountId: u.accountId,
          articles: Array.from({ length: REAL_PER_USER }, (_, k) => ({ title: `扇出 ${tag}-${i}-${k}`, content: '正文' })),
        }),
      ),
    );
    const realIds = new Set(real.flatMap((b) => b.created.map((c) => c.taskId)));
    const watcher = subs[0]?.sub;
    if (!watcher) throw new Error('no subscriber');
    await until(() => watcher.events.some((e) => e.stage === 'login'), 180_000, 'the first task to log in');
    // Every user, at some moment while the tasks run, submits a batch of scheduled articles and
    // cancels it two seconds later.
    const when = new Date(Date.now() + 86_400_000).toISOString();
    await Promise.all(
      users.map(async (u, i) => {
        await sleep((SPREAD_MS * i) / users.length);
        const batch = await u.user.api.task.createBatch.mutate({
          accountId: u.accountId,
          articles: Array.from({ length: BURST }, (_, k) => ({ title: `定时 ${tag}-${i}-${k}`, content: '稍后发布', scheduledAt: when })),
        });
        await sleep(2000);
        await u.user.api.task.cancelMany.mutate({ ids: batch.created.map((c) => c.taskId) });
      }),
    );
    // Wait for every real task to end, as some subscriber of its user saw it, then compare every tab.
    const ends = () => {
      const out = new Map<string, Received>();
      for (const s of subs) for (const e of s.sub.events) if (realIds.has(e.taskId) && TERMINAL.has(e.status)) out.set(e.taskId, e);
      return out;
    };
    const deadline = Date.now() + 300_000;
    let expected = await owed(stack.urls.redis, key, after);
    for (;;) {
      const ended = ends().size;
      const missing = subs.filter((s) => s.sub.events.length < (expected.get(s.user)?.size ?? 0)).length;
      if (ended === realIds.size && missing === 0) break;
      if (Date.now() > deadline) throw new Error(`not delivered: ${missing} subscribers short of their events; ${ended}/${realIds.size} real tasks ended`);
      await sleep(500);
      expected = await owed(stack.urls.redis, key, after);
    }
    await sleep(500);
    expected = await owed(stack.urls.redis, key, after);
    const finals = [...ends().values()];
    const failed = finals.filter((e) => e.status !== 'success');
    if (failed.length > 0) throw new Error(`${failed.length} real tasks did not succeed (${failed.map((f) => f.status).join(', ')}); see ${stack.dir}/logs`);
    const publishS = (Math.max(...finals.map((e) => e.at)) - submitted) / 1000;
    let deliveries = 0;
    const lat: number[] = [];
    for (const s of subs) {
      const want = expected.get(s.user) ?? new Set();
      const got = s.sub.events.map((e) => e.id);
      const gotSet = new Set(got);
      if (gotSet.size !== got.length) throw new Error(`${via}: a subscriber of ${s.user} received an event twice`);
      const lost = [...want].filter((id) => !gotSet.has(id));
      const extra = got.filter((id) => !want.has(id));
      if (lost.length > 0 || extra.length > 0) throw new Error(`${via}: a subscriber of ${s.user} lost ${lost.length} and got ${extra.length} foreign events`);
      const sortedIds = [...got].sort();
      if (sortedIds.some((id, i) => id !== got[i])) throw new Error(`${via}: a subscriber of ${s.user} received events out of order`);
      deliveries += got.length;
      for (const e of s.sub.events) lat.push(e.received - e.at);
    }
    const sp = spread(lat);
    const relayLeg = delta(await readHistogram(stack.urls.app, RELAY_METRIC), relay0);
    const serverLeg = `p50 ${percentileBound(relayLeg, 50)}, p95 ${percentileBound(relayLeg, 95)} (${relayLeg.count} events)`;
    const profile = opts.profile ? await stack.profile(`the server during an extra round through the system, not counted (from the first submission to the last delivery)`) : '';
    clearInterval(sampler);
    for (const s of subs) s.sub.close();
    if (via === 'system') {
      const deadline = Date.now() + 60_000;
      while ((await gauge(stack.urls.app, 'zpub_subscribers')) !== 0) {
        if (Date.now() > deadline) throw new Error('the server still counts subscribers 60 s after they all left');
        await sleep(200);
      }
    }
    const left = await idleRss(stack, others);
    const rssAfter = left.collected;
    log(
      `${tag} (${via}): ${deliveries} deliveries, p50 ${ms(sp.p50)}, p95 ${ms(sp.p95)}, max ${ms(sp.max)}; ${realIds.size} articles in ${fixed(publishS, 1)} s; ` +
        `server RSS ${mb(rssBefore)} before, ${mb(rssPeak)} peak, ${mb(rssAfter)} after, each after a full collection (idle without one: ${mb(before.idle)} before, ${mb(left.idle)} after)`,
    );
    return { via, deliveries, lat, publishS, realTasks: realIds.size, rssBefore, rssSubs, rssPeak, rssAfter, rssIdleBefore: before.idle, rssIdleAfter: left.idle, connectMs, idleCpu, serverLeg, profile };
  } finally {
    clearInterval(sampler);
    for (const s of subs) s.sub.close();
  }
}

/** A stack with one worker (its env decides the Chromium priority), 100 users, and the relay. */
export async function fanoutRig(opts: { workerEnv?: Record<string, string>; workers?: number; relay: boolean }): Promise<FanoutRig & AsyncDisposable> {
  const stack = await benchStack({ workers: opts.workers ?? 1, profileServer: true, serverEnv: { USER_MAX_RUNNING: '2' }, workerEnv: opts.workerEnv ?? {} });
  try {
    const users = await makeUsers(stack.urls.app, USERS, 'fan');
    const userIds = await Promise.all(users.map(async (u) => (await u.user.api.auth.me.query())?.id ?? ''));
    const relay = opts.relay ? await startBaseline(stack, 'relay', { REDIS_URL: stack.urls.redis, REDIS_PREFIX: stack.prefix }) : null;
    return {
      stack,
      users,
      userIds,
      relay,
      async [Symbol.asyncDispose]() {
        await relay?.stop();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

export const fanoutBenchmark: Benchmark = {
  key: 'fanout',
  title: 'Fan-out (1,000 subscribers on one server process) against a bare relay',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 3;
    // The target holds at the worker's default Chromium priority, which a BROWSER_NICE inherited from this shell would change.
    if (process.env.BROWSER_NICE !== undefined) throw new Error('BROWSER_NICE is set in this environment; unset it: fan-out is measured at the worker\'s default');
    await using rig = await fanoutRig({ relay: true });
    // One round through the server first, not judged: what a first round leaves for good (compiled
    // code, caches of its users' sessions and accounts) is not a leak, and would pass for one.
    const warm = await fanoutRound(rig, 'system', 'warm-up round', ctx.log);
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const via of alternate<Via>(r, 'system', 'relay')) results.push(await fanoutRound(rig, via, `round ${r + 1}`, ctx.log));
    }
    // Where the server's time goes: one more round through it, profiled, not counted.
    const profiled = await fanoutRound(rig, 'system', 'profiled round', ctx.log, { profile: true });
    const sys = results.filter((r) => r.via === 'system');
    const rel = results.filter((r) => r.via === 'relay');
    const s = spread(pool(sys.map((r) => r.lat)));
    const b = spread(pool(rel.map((r) => r.lat)));
    const line = (x: ReturnType<typeof spread>) => `p50 ${ms(x.p50)}, p95 ${ms(x.p95)}, p99 ${ms(x.p99)}, max ${ms(x.max)} (n ${x.n})`;
    const rssSeries = (list: Round[]) => list.map((r) => `${mb(r.rssBefore)} → ${mb(r.rssPeak)} → ${mb(r.rssAfter)}`).join('; ');
    return {
      method:
        `One stack (one server process, one worker with 4 slots at the default Chromium priority, sandbox delay ${SANDBOX_DELAY_MS} ms) and, beside it, the relay baseline ` +
        '(`tests/bench/baselines/relay.ts`: follows the same Redis event stream and writes each event to its owner\'s sockets in the same SSE frames; no tRPC, sessions or index). ' +
        `A warm-up round through the server first (not counted), then ${rounds} rounds through each, alternating (system then relay, then relay then system, …). Each round opens ${USERS * TABS} subscriptions (${USERS} users × ${TABS} tabs, plain SSE) ` +
        `through one of them, then: ${REAL_USERS} users submit ${REAL_PER_USER} real articles each, which the worker publishes; once the first is running, each of the ${USERS} users in turn ` +
        `(spread over ${SPREAD_MS / 1000} s) submits a batch of ${BURST} scheduled articles and cancels it 2 s later. Every subscriber must then hold exactly its user's events ` +
        "from the Redis stream, once each, in order; latency = receipt − the event's `at`, pooled over every delivery of every round. " +
        `The server's RSS is taken before the subscribers connect (median of 5 samples once every process is idle) and after the server has seen them all leave (the same, once the server counts no subscriber), each time right after a full garbage collection forced through the server's inspector, so that the reading shows what the server still holds and not how long V8 waits before shrinking a heap it grew (both without the collection are shown too).`,
      figures: [
        { label: 'deliveries per round (system; relay)', value: `${sys.map((r) => r.deliveries).join(', ')}; ${rel.map((r) => r.deliveries).join(', ')} (all delivered, none twice, in order)` },
        { label: 'system, all deliveries', value: line(s) },
        { label: 'relay baseline, all deliveries', value: line(b) },
        { label: 'p95 of each round (system; relay)', value: `${sys.map((r) => ms(spread(r.lat).p95)).join(', ')}; ${rel.map((r) => ms(spread(r.lat).p95)).join(', ')}` },
        { label: 'system rounds: written → read by the server (its histogram; the rest is the server to the client)', value: sys.map((r) => r.serverLeg).join('; ') },
        { label: 'server RSS before → peak → after, rounds through the system', value: rssSeries(sys) },
        { label: 'server RSS before → peak → after, rounds through the relay (the server carries the workload, no subscribers)', value: rssSeries(rel) },
        { label: 'server RSS before → after, warm-up round through the system (not counted anywhere)', value: `${mb(warm.rssBefore)} → ${mb(warm.rssAfter)} (${fixed(100 * (warm.rssAfter / warm.rssBefore - 1), 0)} %)` },
        { label: 'server RSS before → after without the forced collection, rounds through the system', value: sys.map((r) => `${mb(r.rssIdleBefore)} → ${mb(r.rssIdleAfter)}`).join('; ') },
        { label: 'time to open 1,000 subscriptions (system; relay, median)', value: `${ms(median(sys.map((r) => r.connectMs)))}; ${ms(median(rel.map((r) => r.connectMs)))}` },
        { label: 'CPU with 1,000 idle subscriptions (server; relay)', value: `${fixed(median(sys.map((r) => r.idleCpu)), 2)}; ${fixed(median(rel.map((r) => r.idleCpu)), 2)} cores` },
        { label: 'real articles published per round, seconds (system; relay rounds)', value: `${sys.map((r) => fixed(r.publishS, 1)).join(', ')}; ${rel.map((r) => fixed(r.publishS, 1)).join(', ')}` },
      ],
      targets: [
        stated('all events delivered', 'all, to every subscriber, once, in order (a loss fails the run)', 'every event, to every subscriber'),
        ratioAtMost('p95', s.p95, b.p95, 2, ms, 'relay'),
        goalAtMost('p95', s.p95, GOAL_P95_MS, ms),
        growthAtMost(`server RSS after the subscribers leave, ${sys.length} rounds`, sys.map((r) => ({ before: r.rssBefore, after: r.rssAfter })), LEAK_LIMIT, mb),
        stated('server peak RSS', `${mb(Math.max(...sys.map((r) => r.rssPeak)))} with 1,000 subscribers`),
      ],
      notes: ['The server ran under the V8 sampling profiler (1 ms) in one extra round through it, after the measured ones and not counted in them:', profiled.profile],
    };
  },
};
