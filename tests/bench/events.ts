/**
 * Event latency: from the moment a worker reports a stage (the `at` it writes with the
 * compare-and-set) to the moment a subscribed client has the event over SSE, on the same machine
 * clock. Real tasks published by one worker (4 slots) into the sandbox.
 */
import type { BenchOutcome } from './lib/report';
import { SseSubscriber, TERMINAL, until } from './lib/sse';
import { SANDBOX_DELAY_MS, benchStack, makeUsers } from './lib/stack';
import { quoted } from './lib/old-system';
import { ms, percentile, spread } from './lib/stats';
import type { Benchmark } from './lib/types';
import { atMost } from './lib/verdict';

const WORKER_STAGES = new Set(['browser', 'login', 'editor', 'submitted', 'redirected', 'verified']);

export const eventsBenchmark: Benchmark = {
  key: 'events',
  title: 'Event latency (worker → subscribed client)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 1 : 3;
    const perRound = ctx.quick ? 4 : 12;
    await using stack = await benchStack({ workers: 1 });
    const [u] = await makeUsers(stack.urls.app, 1, 'events');
    if (!u) throw new Error('no user');
    const p95s: number[] = [];
    const all: number[] = [];
    const byStage = new Map<string, number[]>();
    const server: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const sub = new SseSubscriber(stack.urls.app, u.user.cookie);
      await sub.ready;
      const res = await u.user.api.task.createBatch.mutate({
        accountId: u.accountId,
        articles: Array.from({ length: perRound }, (_, i) => ({ title: `事件延迟 ${r}-${i}`, content: `正文 ${i}，**粗体**。` })),
      });
      const ids = new Set(res.created.map((c) => c.taskId));
      const ended = () => new Set(sub.events.filter((e) => ids.has(e.taskId) && TERMINAL.has(e.status)).map((e) => e.taskId)).size;
      await until(() => ended() === ids.size, 180_000, () => `${ids.size} tasks to end (${ended()} did)`);
      sub.close();
      const mine = sub.events.filter((e) => ids.has(e.taskId));
      const failed = mine.filter((e) => TERMINAL.has(e.status) && e.status !== 'success');
      if (failed.length > 0) throw new Error(`${failed.length} tasks did not succeed (${failed.map((f) => f.status).join(', ')}); see ${stack.dir}/logs`);
      const lat = mine.filter((e) => WORKER_STAGES.has(e.stage) || (e.status === 'success' && e.stage === 'verified')).map((e) => e.received - e.at);
      if (lat.length < ids.size * 6) throw new Error(`only ${lat.length} worker events arrived for ${ids.size} tasks`);
      for (const e of mine) byStage.set(e.stage, [...(byStage.get(e.stage) ?? []), e.received - e.at]);
      server.push(...mine.filter((e) => e.stage === 'created' || e.stage === 'queued').map((e) => e.received - e.at));
      const s = spread(lat);
      ctx.log(`round ${r + 1}: ${s.n} worker events, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)}`);
      p95s.push(s.p95);
      all.push(...lat);
    }
    // Pooled: the p95 of every event of every round (a median of per-round p95s hides the slow rounds).
    const s = spread(all);
    const p95 = s.p95;
    return {
      method:
        `${rounds} rounds of ${perRound} articles submitted as one batch and published by one worker (4 Chromium slots) into the sandbox (delay ${SANDBOX_DELAY_MS} ms), ` +
        'with one subscriber (plain SSE on `task.onUpdate`). Latency of each worker-reported event (browser, login, editor, submitted, redirected, verified) = ' +
        'time the subscriber read it − the `at` the worker stamped before its compare-and-set. Both clocks are this machine\'s.',
      figures: [
        { label: 'all worker events, every round', value: `n ${s.n}, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)}` },
        { label: 'p95 of each round', value: p95s.map(ms).join(', ') },
        { label: 'server events (created, queued), p95', value: ms(percentile(server, 95)) },
        { label: 'p95 by stage', value: [...byStage].map(([k, v]) => `${k} ${ms(percentile(v, 95))}`).join(', ') },
        { label: 'old system (Flask + RQ)', value: quoted('poll') },
      ],
      targets: [atMost('p95, all events of all rounds', p95, 100, ms)],
      notes: [],
    };
  },
};
