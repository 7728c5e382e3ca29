/**
 * BROWSER_NICE, A/B: the fan-out workload (fanout.ts: 1,000 subscribers, one worker publishing
 * real articles, users submitting and cancelling batches) with the worker's Chromium at nice 0
 * and at nice 10, alternating, on one stack. Per setting: how fast the worker published, and the
 * fan-out p95 its events reached the subscribers with. The default the run suggests follows a
 * rule stated in the report.
 */
import { fanoutRig, fanoutRound, type Round } from './fanout';
import { settleMachine } from './lib/machine';
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until } from './lib/sse';
import { alternate, fixed, ms, pool, pooledRate, spread } from './lib/stats';
import type { Benchmark } from './lib/types';
import { stated } from './lib/verdict';
import { MIN_P95_GAIN, MIN_THROUGHPUT_KEPT, SETTINGS, suggestNice, type Nice } from './lib/nice-rule';

export const niceBenchmark: Benchmark = {
  key: 'nice',
  title: 'BROWSER_NICE 0 against 10 (publish throughput, fan-out p95)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 2;
    await using rig = await fanoutRig({ workers: 0, relay: false });
    const u = rig.users[0];
    if (!u) throw new Error('no user');
    const results = new Map<Nice, Round[]>(SETTINGS.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const nice of alternate<Nice>(r, 0, 10)) {
        const worker = await rig.stack.addWorker({ BROWSER_NICE: String(nice) });
        try {
          // A first batch launches and warms this worker's Chromium; not counted.
          const sub = new SseSubscriber(rig.stack.urls.app, u.user.cookie);
          await sub.ready;
          const warm = await u.user.api.task.createBatch.mutate({ accountId: u.accountId, articles: Array.from({ length: 4 }, (_, i) => ({ title: `预热 ${r}-${nice}-${i}`, content: '正文' })) });
          const ids = new Set(warm.created.map((c) => c.taskId));
          await until(() => new Set(sub.events.filter((e) => ids.has(e.taskId) && TERMINAL.has(e.status)).map((e) => e.taskId)).size === ids.size, 180_000, 'the warm-up batch to end');
          sub.close();
          // The previous run's worker and its Chromium wind down; each setting starts on a quiet machine.
          const settled = await settleMachine(0.5, 60_000);
          if (settled.busiest.length > 0) ctx.log(`round ${r + 1}, nice ${nice}: not quiet after ${settled.waitedS} s: ${settled.busiest.join(', ')}`);
          results.get(nice)?.push(await fanoutRound(rig, 'system', `round ${r + 1}, nice ${nice}`, ctx.log));
        } finally {
          await worker.stop();
        }
      }
    }
    const of = (n: Nice) => results.get(n) ?? [];
    const p95 = { 0: spread(pool(of(0).map((x) => x.lat))).p95, 10: spread(pool(of(10).map((x) => x.lat))).p95 };
    const rate = {
      0: pooledRate(of(0).map((x) => x.realTasks), of(0).map((x) => x.publishS)),
      10: pooledRate(of(10).map((x) => x.realTasks), of(10).map((x) => x.publishS)),
    };
    const suggestion = suggestNice(p95, rate);
    const line = (n: Nice) => {
      const s = spread(pool(of(n).map((x) => x.lat)));
      return `publishing ${fixed(rate[n], 2)} articles/s (${of(n).map((x) => `${x.realTasks} in ${fixed(x.publishS, 1)} s`).join(', ')}); fan-out p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)} (n ${s.n})`;
    };
    return {
      method:
        `The fan-out workload of \`fanout\` (1,000 subscriptions through the server, one worker with 4 slots publishing real articles, every user submitting and cancelling a batch) ` +
        `${rounds} times with the worker's Chromium at each nice value, alternating (0 then 10, then 10 then 0), on one stack; a fresh worker for each run, warmed by a batch of 4 articles not counted. ` +
        'Throughput = articles ÷ seconds from their submission to the last one\'s final event, over all runs of a setting; the p95 pools every delivery of every run of a setting.',
      figures: [
        { label: 'BROWSER_NICE=0', value: line(0) },
        { label: 'BROWSER_NICE=10', value: line(10) },
        { label: 'nice 10 ÷ nice 0', value: `throughput ${fixed(rate[10] / rate[0], 3)} ×, fan-out p95 ${fixed(p95[10] / p95[0], 2)} ×` },
        { label: 'default this run supports', value: `${suggestion.nice}: ${suggestion.why}` },
      ],
      targets: [stated('default BROWSER_NICE this run supports', String(suggestion.nice), `rule: 10 if it cuts the p95 by ≥ ${fixed(100 * MIN_P95_GAIN, 0)} % and keeps ≥ ${fixed(100 * MIN_THROUGHPUT_KEPT, 0)} % of the throughput`)],
      notes: [
        'The worker\'s own default is in `apps/worker/src/env.ts` and the README\'s configuration table; it follows this benchmark on a quiet machine of the kind it is meant for ' +
          '(the server, Redis, FerretDB and a worker sharing 2 cores). On a worker machine of its own, Chromium competes with nothing the user waits for, and the setting only costs throughput.',
      ],
    };
  },
};
