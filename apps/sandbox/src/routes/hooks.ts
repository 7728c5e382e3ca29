import { z } from 'zod';
import type { SandboxState } from '../context.js';
import { FaultSpecError, parseFaultSpec } from '../faults.js';
import { parseWith, paramsError, readJson, sendJson } from '../http.js';
import { route, type Route } from '../router.js';
import type { Article } from '../store.js';

// The /__sandbox hooks tests use: what was published (with every setting Zhihu stored), faults
// on demand, the runtime config (delay, layout), and a reset.

const configBodySchema = z
  .strictObject({
    delayMs: z.number().int().min(0).max(600_000).optional(),
    layout: z.enum(['today', 'legacy']).optional(),
  })
  .refine((c) => c.delayMs !== undefined || c.layout !== undefined, 'give delayMs, layout or both');

export function publicArticle(a: Article) {
  return {
    id: a.id,
    title: a.title,
    author: a.author,
    html: a.html,
    topics: a.topics.map((t) => t.name),
    column: a.column,
    cover: a.cover,
    statement: a.statement,
    commentPermission: a.commentPermission,
    publishedAt: new Date(a.created).toISOString(),
  };
}

export function hookRoutes(s: SandboxState): Route[] {
  return [
    route('GET', '/healthz', (ctx) => sendJson(ctx.res, 200, { ok: true })),
    route('GET', '/__sandbox/articles', (ctx) => {
      const author = ctx.url.searchParams.get('author') ?? undefined;
      sendJson(ctx.res, 200, s.store.articles(author).map(publicArticle));
    }),
    route('GET', '/__sandbox/faults', (ctx) => sendJson(ctx.res, 200, s.faults.list())),
    route('DELETE', '/__sandbox/faults', (ctx) => {
      s.faults.clear();
      sendJson(ctx.res, 200, { ok: true });
    }),
    route('POST', '/__sandbox/faults', async (ctx) => {
      const input = await readJson(ctx.req);
      try {
        const { remaining: _remaining, ...shown } = s.faults.add(parseFaultSpec(input));
        sendJson(ctx.res, 201, shown);
      } catch (error) {
        if (error instanceof FaultSpecError) throw paramsError(error.message);
        throw error;
      }
    }),
    route('POST', '/__sandbox/reset', async (ctx) => {
      s.reset();
      await s.store.reset();
      sendJson(ctx.res, 200, { ok: true });
    }),
    route('GET', '/__sandbox/config', (ctx) => sendJson(ctx.res, 200, s.config)),
    route('POST', '/__sandbox/config', async (ctx) => {
      const body = parseWith(configBodySchema, await readJson(ctx.req));
      if (body.delayMs !== undefined) s.config.delayMs = body.delayMs;
      if (body.layout !== undefined) s.config.layout = body.layout;
      sendJson(ctx.res, 200, s.config);
    }),
  ];
}
