/**
 * Batch accept: one `task.createBatch` of 500 articles (about 1 MB of Markdown), from the call to
 * the answer, on a stack without workers. Each answer must list 500 created tasks, and the server
 * must list them under the batch.
 */
import type { BenchOutcome } from './lib/report';
import { benchStack, makeUsers } from './lib/stack';
import { median, ms } from './lib/stats';
import type { Benchmark } from './lib/types';

const SIZE = 500;

function articles(run: number) {
  const para = '这是一段用来压测的正文，包含**粗体**、`代码`和一个[链接](https://example.com)。'.repeat(8);
  return Array.from({ length: SIZE }, (_, i) => ({
    title: `批量压测 ${run}-${i}`,
    content: `# 小标题\n\n${para}\n\n- 第一项\n- 第二项\n\n\`\`\`ts\nconst n = ${i};\n\`\`\`\n\n${para}`,
    topics: ['编程'],
  }));
}

export const batchBenchmark: Benchmark = {
  key: 'batch',
  title: 'Batch accept (task.createBatch, 500 articles)',
  async run(ctx): Promise<BenchOutcome> {
    const rounds = ctx.quick ? 2 : 7;
    await using stack = await benchStack({ workers: 0 });
    const [u] = await makeUsers(stack.urls.app, 1, 'batch');
    if (!u) throw new Error('no user');
    // One warm-up batch: the first call pays for JIT and FerretDB's table growth.
    await u.user.api.task.createBatch.mutate({ accountId: u.accountId, articles: articles(-1) });
    const times: number[] = [];
    let bytes = 0;
    for (let r = 0; r < rounds; r++) {
      const list = articles(r);
      bytes = Buffer.byteLength(JSON.stringify({ accountId: u.accountId, articles: list }));
      const t0 = performance.now();
      const res = await u.user.api.task.createBatch.mutate({ accountId: u.accountId, articles: list });
      const dt = performance.now() - t0;
      if (res.created.length !== SIZE || res.rejected.length > 0 || !res.batchId) {
        throw new Error(`createBatch created ${res.created.length} and rejected ${res.rejected.length} of ${SIZE}`);
      }
      const listed = await u.user.api.task.list.query({ batchId: res.batchId, limit: 1 });
      if (listed.total !== SIZE) throw new Error(`the batch lists ${listed.total} tasks, not ${SIZE}`);
      times.push(dt);
      ctx.log(`batch ${r + 1}: ${ms(dt)}`);
    }
    const m = median(times);
    return {
      method: `${rounds} batches of ${SIZE} articles (${(bytes / 1024).toFixed(0)} kB of JSON each) from one user, after one warm-up batch, on one stack without workers; time from the call to the answer, through the same tRPC client the SPA uses.`,
      figures: [
        { label: 'median time to the answer', value: ms(m) },
        { label: 'each batch', value: times.map(ms).join(', ') },
        { label: 'per article', value: ms(m / SIZE) },
      ],
      targets: [{ what: '500 articles accepted', target: '≤ 1 s', measured: ms(m), pass: m <= 1000 }],
      notes: [],
    };
  },
};
