/**
 * Submit latency: `task.create` from 100 concurrent clients (autocannon, keep-alive connections,
 * each signed in as one of 20 users) for 20 s against the real server, FerretDB and Redis. No
 * workers run, so tasks stay pending or queued: this is the cost of accepting a task.
 */
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import type { BenchOutcome } from './lib/report';
import { benchStack, cpuMeter, cpuTable, makeUsers, sleep } from './lib/stack';
import { fixed, median, ms, percentile } from './lib/stats';
import type { Benchmark } from './lib/types';

const CONNECTIONS = 100;
const USERS = 20;
const OLD_SYSTEM_MS = 1000;

interface Run {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  total: number;
  cpu: string;
  pacedP50: number;
  pacedP99: number;
  pacedRate: number;
}

/** Submissions per second per client in the paced run: a person clicking fast, not a script. */
const PACED_PER_CLIENT = 2;

function load(url: string, cookies: string[], accounts: string[], seconds: number, overallRate?: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [{ method: 'POST', path: '/trpc/task.create' }],
    setupClient(client) {
      const i = n++ % cookies.length;
      client.setHeadersAndBody(
        { cookie: cookies[i] ?? '', 'content-type': 'application/json' },
        JSON.stringify({ accountId: accounts[i], title: `压测文章 ${i}`, content: '一段不长的正文，**带粗体**。\n\n- 列表项' }),
      );
    },
  });
}

/**
 * 100 clients that each submit, wait for the answer, think for a random while (exponential, mean
 * 1/rate: arrivals like people's, not a metronome) and submit again. autocannon's own pacing fires
 * every connection on the same tick, which measures a burst of 100 rather than 100 people.
 */
async function pacedLoad(url: string, cookies: string[], accounts: string[], seconds: number, perClient: number): Promise<{ latencies: number[]; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL('/trpc/task.create', url);
  const latencies: number[] = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const post = (i: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ accountId: accounts[i], title: `压测文章 ${i}`, content: '一段不长的正文，**带粗体**。\n\n- 列表项' });
      const req = request(target, { method: 'POST', agent, headers: { cookie: cookies[i] ?? '', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      const i = c % cookies.length;
      while (Date.now() < end) {
        await sleep(-Math.log(1 - Math.random()) * (1000 / perClient));
        const t0 = performance.now();
        const status = await post(i).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== 200) failed++;
      }
    }),
  );
  agent.destroy();
  return { latencies, failed };
}

function check(res: autocannon.Result, dir: string): void {
  if (res.non2xx > 0 || res.errors > 0 || res.timeouts > 0) {
    throw new Error(`task.create failed under load: ${res.non2xx} non-2xx answers, ${res.errors} errors, ${res.timeouts} timeouts (of ${res.requests.total}); see ${dir}/logs`);
  }
}

async function once(seconds: number, log: (m: string) => void, profile: boolean): Promise<Run & { profile: string }> {
  await using stack = await benchStack({ workers: 0, profileServer: profile });
  const users = await makeUsers(stack.urls.app, USERS, 'submit');
  const cookies = users.map((u) => u.user.cookie);
  const accounts = users.map((u) => u.accountId);
  // Warm-up (JIT, connection pools, FerretDB's tables), not counted; paced, so that the
  // projector has no backlog to catch up on when the paced run starts.
  const warm = await load(stack.urls.app, cookies, accounts, 3, 300);
  check(warm, stack.dir);
  // The 100 clients at a person's pace first: what a submission costs when the server is not saturated.
  const paced = await pacedLoad(stack.urls.app, cookies, accounts, Math.min(seconds, 10), PACED_PER_CLIENT);
  if (paced.failed > 0) throw new Error(`${paced.failed} paced submissions failed; see ${stack.dir}/logs`);
  await stack.profile('');
  const meter = cpuMeter({ server: stack.server.pid, ferretdb: stack.ferret?.pid, redis: stack.redis?.pid });
  const res = await load(stack.urls.app, cookies, accounts, seconds);
  const cpu = meter.stop();
  const prof = await stack.profile(`the server during the closed-loop run (${seconds} s)`);
  check(res, stack.dir);
  const ok = res['2xx'] + paced.latencies.length;
  // Every accepted task must be there. Requests still in flight when a run stops are not counted
  // by autocannon but may still be saved: at most one per connection per run.
  let stored = 0;
  for (const u of users) stored += (await u.user.api.task.list.query({ limit: 1 })).total;
  const accepted = ok + warm['2xx'];
  if (stored < accepted || stored > accepted + 3 * CONNECTIONS) throw new Error(`${accepted} tasks were accepted but the server lists ${stored}`);
  const run = {
    p50: res.latency.p50,
    p99: res.latency.p99,
    max: res.latency.max,
    rps: res.requests.average,
    total: res['2xx'],
    cpu: cpuTable(cpu, seconds),
    pacedP50: percentile(paced.latencies, 50),
    pacedP99: percentile(paced.latencies, 99),
    pacedRate: paced.latencies.length / Math.min(seconds, 10),
    profile: prof,
  };
  log(`closed loop: p50 ${ms(run.p50)}  p99 ${ms(run.p99)}  max ${ms(run.max)}  ${fixed(run.rps, 0)} req/s  cores used: ${run.cpu}`);
  log(`paced (${fixed(run.pacedRate, 0)}/s): p50 ${ms(run.pacedP50)}  p99 ${ms(run.pacedP99)}`);
  return run;
}

export const submitBenchmark: Benchmark = {
  key: 'submit',
  title: 'Submit latency (task.create, 100 concurrent clients)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 3;
    const seconds = ctx.quick ? 5 : 20;
    const runs: (Run & { profile: string })[] = [];
    // The last run is profiled (the sampling profiler costs the server a little).
    for (let i = 0; i < rounds; i++) runs.push(await once(seconds, ctx.log, i === rounds - 1));
    const p99 = median(runs.map((r) => r.p99));
    const pacedP99 = median(runs.map((r) => r.pacedP99));
    return {
      method:
        `${rounds} runs, each on a fresh stack (no workers): ${USERS} users with one sandbox account each; ` +
        `autocannon with ${CONNECTIONS} keep-alive connections posting \`task.create\` as fast as answers come back (closed loop) ` +
        `for ${seconds} s. Before it, after a 3 s warm-up, the same 100 clients at a person's pace for ${Math.min(seconds, 10)} s: each submits, waits for the answer, ` +
        `then thinks for a random time (exponential, mean ${1000 / PACED_PER_CLIENT} ms) — about ${CONNECTIONS * PACED_PER_CLIENT} submissions/s in all. ` +
        'Latency is from the request written to the answer read. Any refused or failed request fails the run, and afterwards the server must list every accepted task.',
      figures: [
        { label: 'p50 latency (median of runs)', value: ms(median(runs.map((r) => r.p50))) },
        { label: 'p99 latency (median of runs)', value: ms(p99) },
        { label: 'p99 of each run', value: runs.map((r) => ms(r.p99)).join(', ') },
        { label: 'max latency (worst run)', value: ms(Math.max(...runs.map((r) => r.max))) },
        { label: 'throughput (median of runs)', value: `${fixed(median(runs.map((r) => r.rps)), 0)} tasks/s` },
        { label: 'tasks accepted per run', value: runs.map((r) => r.total).join(', ') },
        { label: 'cores used during the last run (CPU s per s)', value: runs.at(-1)?.cpu ?? '' },
        { label: `paced, ~${fixed(median(runs.map((r) => r.pacedRate)), 0)} submissions/s: p50 / p99 (median of runs)`, value: `${ms(median(runs.map((r) => r.pacedP50)))} / ${ms(pacedP99)}` },
        { label: 'old system (Flask + RQ)', value: `about ${ms(OLD_SYSTEM_MS)} per submission: p99 here is ${fixed(OLD_SYSTEM_MS / p99, 0)}× shorter` },
      ],
      targets: [
        { what: 'p99, 100 clients flat out (closed loop)', target: '≤ 50 ms', measured: ms(p99), pass: p99 <= 50 },
        { what: `p99, 100 clients at a person's pace (~${PACED_PER_CLIENT}/s each)`, target: '≤ 50 ms', measured: ms(pacedP99), pass: pacedP99 <= 50 },
      ],
      notes: [runs.at(-1)?.profile ?? ''],
    };
  },
};
