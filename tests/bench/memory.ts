/**
 * Worker memory: the RSS of one worker process plus every Chromium process under it, sampled
 * every half second while it publishes 300 articles. "At task k" is the median of the samples
 * taken while tasks k-25 to k completed, so one sample caught mid-navigation does not decide it.
 */
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until } from './lib/sse';
import { benchStack, makeUsers, treeMemory } from './lib/stack';
import { fixed, mb, median } from './lib/stats';
import type { Benchmark } from './lib/types';

const DELAY_MS = 100;

interface Sample {
  done: number;
  rss: number;
  pss: number;
  processes: number;
}

export const memoryBenchmark: Benchmark = {
  key: 'memory',
  title: 'Worker memory over 300 tasks',
  async run(ctx): Promise<BenchOutcome> {
    const total = ctx.quick ? 60 : 300;
    const from = ctx.quick ? 20 : 50;
    await using stack = await benchStack({ workers: 1, delayMs: DELAY_MS });
    const worker = stack.workers[0];
    const [u] = await makeUsers(stack.urls.app, 1, 'mem');
    if (!u || !worker) throw new Error('no user or worker');
    const recycleAfter = Number(worker.env.BROWSER_RECYCLE_AFTER ?? 100);
    const sub = new SseSubscriber(stack.urls.app, u.user.cookie);
    await sub.ready;
    const samples: Sample[] = [];
    let done = 0;
    const ids = new Set<string>();
    sub.listen((e) => {
      if (ids.has(e.taskId) && TERMINAL.has(e.status)) done++;
    });
    const sampler = setInterval(() => {
      const m = treeMemory(worker.pid);
      samples.push({ done, rss: m.rssBytes, pss: m.pssBytes, processes: m.processes });
    }, 500);
    try {
      const res = await u.user.api.task.createBatch.mutate({
        accountId: u.accountId,
        articles: Array.from({ length: total }, (_, i) => ({ title: `内存 ${i}`, content: `第 ${i} 篇。**粗体**与\`代码\`。\n\n- 甲\n- 乙` })),
      });
      for (const c of res.created) ids.add(c.taskId);
      await until(() => done >= total, 1_800_000, () => `${total} tasks to end (${done} did)`);
    } finally {
      clearInterval(sampler);
      sub.close();
    }
    const failed = sub.events.filter((e) => ids.has(e.taskId) && TERMINAL.has(e.status) && e.status !== 'success').length;
    if (failed > 0) throw new Error(`${failed} of ${total} tasks did not succeed; see ${stack.dir}/logs`);
    const at = (k: number, key: 'rss' | 'pss') => median(samples.filter((s) => s.done > k - 25 && s.done <= k).map((s) => s[key]));
    const checkpoints = [from, 100, 150, 200, 250, total].filter((k, i, a) => k <= total && a.indexOf(k) === i);
    const growth = at(total, 'rss') / at(from, 'rss') - 1;
    const peak = Math.max(...samples.map((s) => s.rss));
    return {
      method:
        `One worker (4 slots, Chromium recycled every ${recycleAfter} tasks as configured) publishes ${total} articles submitted as one batch; sandbox delay ${DELAY_MS} ms to keep the run short. ` +
        'Every 0.5 s the RSS of the worker and all its descendants (Chromium browser, renderers, zygotes, utilities) is summed from /proc; ' +
        'PSS (shared pages split between processes) is given too, since summed RSS counts shared pages once per process.',
      figures: [
        ...checkpoints.map((k) => ({ label: `at task ${k}`, value: `RSS ${mb(at(k, 'rss'))}, PSS ${mb(at(k, 'pss'))}` })),
        { label: `growth, task ${from} → ${total}`, value: `${fixed(100 * growth, 1)} % (PSS ${fixed(100 * (at(total, 'pss') / at(from, 'pss') - 1), 1)} %)` },
        { label: 'peak RSS', value: mb(peak) },
        { label: 'processes (worker + Chromium), max', value: String(Math.max(...samples.map((s) => s.processes))) },
      ],
      targets: [
        { what: 'RSS of worker + Chromium', target: 'stated', measured: `${mb(at(total, 'rss'))} at task ${total}, peak ${mb(peak)}`, pass: null },
        { what: `growth, task ${from} → ${total}`, target: '≤ 10 %', measured: `${fixed(100 * growth, 1)} %`, pass: growth <= 0.1 },
      ],
      notes: [],
    };
  },
};
