/**
 * Publish throughput, scaling, and ten articles. The same 40 articles go through: the baseline
 * (puppeteer alone, see baseline.ts), the system with one worker (4 slots), and the system with
 * two workers (4 slots each), round by round, the baseline and the one-worker system in
 * alternating order, so that each ratio compares runs made side by side. Time runs from the
 * submission to the last task's final event at a subscriber (the system) or from the first
 * article handed to a slot to the last flow's end (the baseline); both browsers are running
 * before the clock starts, and each article's browser context is made inside it.
 */
import { cpus } from 'node:os';
import { ensureChromium } from '@zpub/devstack';
import { Baseline } from './baseline';
import { quoted } from './lib/old-system';
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until } from './lib/sse';
import { SANDBOX_DELAY_MS, benchStack, makeUsers, sleep, type BenchUser } from './lib/stack';
import { alternate, fixed, median, pooledRate } from './lib/stats';
import type { Benchmark } from './lib/types';
import { ratioAtLeast, stated } from './lib/verdict';
import { allProcs, isChromium, tree } from '../support/procs';
import type { TestStack } from '../support/stack';

function articles(tag: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    title: `吞吐 ${tag} ${i}`,
    content: `第 ${i} 篇。一段**粗体**，一段\`代码\`。\n\n- 甲\n- 乙\n\n\`\`\`ts\nconst i = ${i};\n\`\`\``,
  }));
}

interface Run {
  seconds: number;
  /** How long each article held a browser slot (ms): claim to final event for the system. */
  flows: number[];
}

/** Submits `n` articles as one batch and waits until every one has its final event. */
async function systemRun(stack: TestStack, u: BenchUser, tag: string, n: number): Promise<Run> {
  await stack.sandboxApi.reset();
  const sub = new SseSubscriber(stack.urls.app, u.user.cookie);
  await sub.ready;
  try {
    const t0 = performance.now();
    const res = await u.user.api.task.createBatch.mutate({ accountId: u.accountId, articles: articles(tag, n) });
    const ids = new Set(res.created.map((c) => c.taskId));
    const done = () => sub.events.filter((e) => ids.has(e.taskId) && TERMINAL.has(e.status));
    await until(() => done().length >= ids.size, 600_000, () => `${ids.size} tasks to end (${done().length} did)`);
    const seconds = (performance.now() - t0) / 1000;
    const bad = done().filter((e) => e.status !== 'success');
    if (bad.length > 0) throw new Error(`${bad.length} of ${n} tasks did not succeed (${bad.map((b) => b.status).join(', ')}); see ${stack.dir}/logs`);
    const live = await stack.sandboxApi.articles(u.accountName);
    if (live.length !== n) throw new Error(`the sandbox holds ${live.length} articles of ${u.accountName}, not ${n}`);
    const start = new Map(sub.events.filter((e) => ids.has(e.taskId) && e.stage === 'browser').map((e) => [e.taskId, e.at]));
    const flows = done().map((e) => e.at - (start.get(e.taskId) ?? e.at));
    return { seconds, flows };
  } finally {
    sub.close();
  }
}

async function baselineRun(stack: TestStack, tag: string, n: number, nice: number): Promise<Run> {
  await stack.sandboxApi.reset();
  // Launched before the clock starts, as the worker's Chromium is.
  const baseline = await Baseline.launch(ensureChromium(), nice);
  try {
    const account = `baseline${tag.replace(/\W/g, '')}`;
    const run = await baseline.publish(stack.urls.sandbox, account, articles(tag, n));
    if (run.ok !== n) throw new Error(`the baseline published ${run.ok} of ${n}: ${run.errors.slice(0, 3).join('; ')}`);
    const live = await stack.sandboxApi.articles(account);
    if (live.length !== n) throw new Error(`the sandbox holds ${live.length} baseline articles, not ${n}`);
    return { seconds: run.seconds, flows: run.flows };
  } finally {
    await baseline.close();
  }
}

/** The nice value the worker's Chromium runs at (its BROWSER_NICE, default or not), for the baseline's. */
function chromiumNice(workerPid: number): number {
  const browsers = tree(workerPid, allProcs()).filter(isChromium);
  if (browsers.length === 0) throw new Error('the worker runs no Chromium to read the priority of');
  return Math.max(...browsers.map((p) => p.nice));
}

/** Waits until worker.list shows exactly `n` live workers. */
async function workersLive(u: BenchUser, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await u.user.api.worker.list.query();
    const live = (list as { alive?: boolean; draining?: boolean }[]).filter((w) => w.alive !== false && !w.draining).length;
    if (live === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} live workers, worker.list shows ${live}`);
    await sleep(300);
  }
}

export const publishBenchmark: Benchmark = {
  key: 'publish',
  aliases: ['throughput', 'scaling', 'ten'],
  title: 'Publish throughput, scaling, and 10 articles against the old system',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 3;
    const n = ctx.quick ? 8 : 40;
    const ten = ctx.quick ? 4 : 10;
    await using stack = await benchStack({ workers: 2, serverEnv: { USER_MAX_RUNNING: '16' } });
    const [u] = await makeUsers(stack.urls.app, 1, 'pub');
    const second = stack.workers[1];
    if (!u || !second) throw new Error('stack without a user or a second worker');
    await second.stop();
    await workersLive(u, 1);
    // Warm-up: the first tasks of a fresh Chromium are slower for both (caches, code).
    await systemRun(stack, u, 'warm', 4);
    const first = stack.workers[0];
    if (!first) throw new Error('no worker');
    const nice = chromiumNice(first.pid);
    await baselineRun(stack, 'warm', 4, nice);

    const base: number[] = [];
    const one: number[] = [];
    const two: number[] = [];
    const tens: number[] = [];
    const flows = { base: [] as number[], one: [] as number[] };
    const keep = (list: number[], run: Run, into?: number[]) => {
      list.push(run.seconds);
      into?.push(...run.flows);
    };
    for (let r = 0; r < rounds; r++) {
      for (const which of alternate(r, 'baseline', 'system')) {
        if (which === 'baseline') {
          keep(base, await baselineRun(stack, `b${r}`, n, nice), flows.base);
          ctx.log(`round ${r + 1}: baseline ${n} in ${fixed(base.at(-1) ?? 0, 1)} s`);
        } else {
          keep(one, await systemRun(stack, u, `s${r}`, n), flows.one);
          ctx.log(`round ${r + 1}: 1 worker ${n} in ${fixed(one.at(-1) ?? 0, 1)} s`);
        }
      }
      keep(tens, await systemRun(stack, u, `t${r}`, ten));
      ctx.log(`round ${r + 1}: 1 worker ${ten} in ${fixed(tens.at(-1) ?? 0, 1)} s`);
      await second.restart();
      await workersLive(u, 2);
      keep(two, await systemRun(stack, u, `d${r}`, n));
      ctx.log(`round ${r + 1}: 2 workers ${n} in ${fixed(two.at(-1) ?? 0, 1)} s`);
      await second.stop();
      await workersLive(u, 1);
    }
    // Articles per second over all rounds together (total articles ÷ total time).
    const rate = (s: number[]) => pooledRate(s.map(() => n), s);
    const scale = rate(two) / rate(one);
    const perRound = base.map((b, i) => b / (one[i] ?? Number.NaN));
    const tenS = median(tens);
    // Where a slower system loses its time: in each article's flow, or between flows (idle slots).
    const busy = (f: number[], s: number[]) => f.reduce((a, b) => a + b, 0) / 1000 / (4 * s.reduce((a, b) => a + b, 0));
    const perS = (v: number) => `${fixed(v, 2)} articles/s`;
    return {
      method:
        `${rounds} rounds on one stack; each round runs the baseline and the system with one worker on ${n} articles each (in alternating order: baseline first in odd rounds, ` +
        `system first in even ones), then the system with one worker and ${ten} articles, then the system with two workers and ${n} articles. Sandbox delay ${SANDBOX_DELAY_MS} ms (its default), ` +
        `4 slots per worker, USER_MAX_RUNNING 16 so one user can fill every slot; the baseline's Chromium runs at the nice value read from the worker's (${nice}). ` +
        'Every run must end with all articles published and found in the sandbox. Warm-up runs of 4 articles precede the rounds. ' +
        `Throughput = all articles of all rounds ÷ their total time. Machine: ${cpus().length} cores shared by everything (server, FerretDB, Redis, sandbox, workers, Chromium).`,
      figures: [
        { label: `baseline: ${n} articles × ${rounds}`, value: `${perS(rate(base))} (runs ${base.map((x) => `${fixed(x, 1)} s`).join(', ')})` },
        { label: `system, 1 worker: ${n} articles × ${rounds}`, value: `${perS(rate(one))} (runs ${one.map((x) => `${fixed(x, 1)} s`).join(', ')})` },
        { label: 'system ÷ baseline, per round', value: perRound.map((p) => fixed(p, 2)).join(', ') },
        { label: `system, 2 workers: ${n} articles × ${rounds}`, value: `${perS(rate(two))} (runs ${two.map((x) => `${fixed(x, 1)} s`).join(', ')})` },
        { label: `2 workers ÷ 1 worker, on ${cpus().length} cores`, value: fixed(scale, 2) },
        { label: `${ten} articles, 1 worker with 4 slots (median)`, value: `${fixed(tenS, 1)} s (runs ${tens.map((x) => fixed(x, 1)).join(', ')})` },
        {
          label: 'time an article holds its slot, median (baseline / system)',
          value: `${fixed(median(flows.base) / 1000, 2)} s / ${fixed(median(flows.one) / 1000, 2)} s; slots busy ${fixed(100 * busy(flows.base, base), 0)} % / ${fixed(100 * busy(flows.one, one), 0)} % of the run`,
        },
        { label: 'old system (Flask + RQ)', value: quoted('ten') },
      ],
      targets: [
        ratioAtLeast('throughput vs baseline', rate(one), rate(base), 0.9, perS),
        stated(`scaling, 2 workers ÷ 1 worker`, `${fixed(scale, 2)} ×`, `stated (${cpus().length} cores)`),
        stated(`${ten} articles`, `${fixed(tenS, 1)} s with sandbox delay ${SANDBOX_DELAY_MS} ms`, 'stated (old system: 40 s, quoted)'),
      ],
      notes: [],
    };
  },
};
