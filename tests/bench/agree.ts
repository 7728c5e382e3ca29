/**
 * Two servers agree: a task created through one server process, timed until the other one's
 * subscription delivers its first event and until the other one's `task.list` shows it. Two
 * servers on one Redis and one MongoDB, no workers (nothing else moves the tasks).
 */
import { join } from 'node:path';
import { freePort, startApp } from '@zpub/devstack';
import { User } from '../support/client';
import type { BenchOutcome } from './lib/report';
import { SseSubscriber } from './lib/sse';
import { benchStack, makeUsers, sleep } from './lib/stack';
import { ms, percentile } from './lib/stats';
import type { Benchmark } from './lib/types';

export const agreeBenchmark: Benchmark = {
  key: 'agree',
  title: 'Two servers agree (a task created on one, seen on the other)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 10 : 100;
    await using stack = await benchStack({ workers: 0 });
    const port = await freePort();
    await using second = await startApp('server', { port, label: 'server-2', logFile: join(stack.dir, 'logs', 'server-2.log'), env: { ...stack.server.env, PORT: String(port) } });
    const [u] = await makeUsers(stack.urls.app, 1, 'agree');
    if (!u) throw new Error('no user');
    // The same session on the second server; state-changing calls go to the first only.
    const other = new User(second.url, stack.urls.app);
    other.cookie = u.user.cookie;
    const sub = new SseSubscriber(second.url, u.user.cookie);
    await sub.ready;
    const streamed: number[] = [];
    const listed: number[] = [];
    const created: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const { taskId } = await u.user.api.task.create.mutate({ accountId: u.accountId, title: `两台服务器 ${i}`, content: '正文', scheduledAt: new Date(Date.now() + 86_400_000).toISOString() });
      created.push(performance.now() - t0);
      // From the moment the first server registered the task (its event's `at`, same clock).
      let born = 0;
      let seenInList = 0;
      while (!born || !seenInList) {
        const event = sub.events.find((e) => e.taskId === taskId);
        if (!born && event) {
          born = event.at;
          streamed.push(event.received - event.at);
        }
        if (!seenInList && (await other.api.task.list.query({ limit: 5 })).items.some((r) => r.id === taskId)) seenInList = Date.now();
        if (performance.now() - t0 > 10_000) throw new Error(`task ${taskId} not seen on the second server within 10 s (stream: ${Boolean(born)}, list: ${Boolean(seenInList)})`);
      }
      listed.push(seenInList - born);
      await sleep(50);
    }
    sub.close();
    const p95s = percentile(streamed, 95);
    const p95l = percentile(listed, 95);
    return {
      method:
        `Two server processes on one Redis and one MongoDB (the stack's own and a second one started beside it), one user. ${rounds} times, one task.create on the first server; ` +
        'from the moment the first server registered the task (its created event\'s `at`), the time until the second server\'s task.onUpdate stream delivers that event, and until the second server\'s task.list (polled one call after another) shows the task. ' +
        'The list figure includes the duration of the list call that found it.',
      figures: [
        { label: 'subscription on the other server: p50 / p95 / max', value: `${ms(percentile(streamed, 50))} / ${ms(p95s)} / ${ms(Math.max(...streamed))}` },
        { label: 'list on the other server: p50 / p95 / max', value: `${ms(percentile(listed, 50))} / ${ms(p95l)} / ${ms(Math.max(...listed))}` },
        { label: 'task.create on the first server: p50 / p95', value: `${ms(percentile(created, 50))} / ${ms(percentile(created, 95))}` },
      ],
      targets: [
        { what: 'seen in the other server\'s subscription, p95', target: '≤ 200 ms', measured: ms(p95s), pass: p95s <= 200 },
        { what: 'seen in the other server\'s list, p95', target: '≤ 200 ms', measured: ms(p95l), pass: p95l <= 200 },
      ],
      notes: [],
    };
  },
};
