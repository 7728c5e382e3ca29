import { z } from 'zod';
import type { SandboxState } from '../context.js';
import { FaultSpecError, parseFaultSpec } from '../faults.js';
import { parseWith, paramsError, readJson, sendJson } from '../http.js';
import { route, type Route } from '../router.js';
import type { Article, Draft } from '../store.js';

// The /__sandbox hooks tests use: what was published (with every setting Zhihu stored and every
// version it was published in), the drafts nobody can read yet, faults on demand, the runtime
// config (delay, layout), and a reset.

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
    state: 'published' as const,
    publishedAt: new Date(a.created).toISOString(),
    updatedAt: new Date(a.updated).toISOString(),
    versions: a.versions.map((v) => ({ title: v.title, html: v.html, publishedAt: new Date(v.at).toISOString() })),
  };
}

/** A draft with what no reader has seen yet; `published` says whether an older version is public. */
function pendingDraft(d: Draft, published: boolean) {
  return {
    id: d.id,
    title: d.title,
    author: d.author,
    html: d.content,
    topics: d.topics.map((t) => t.name),
    cover: d.titleImage,
    state: 'draft' as const,
    published,
    updatedAt: new Date(d.updated).toISOString(),
  };
}

const stateSchema = z.enum(['published', 'draft', 'all']);

export function hookRoutes(s: SandboxState): Route[] {
  return [
    route('GET', '/healthz', (ctx) => sendJson(ctx.res, 200, { ok: true })),
    // `state=published` (default): the articles; `draft`: drafts with unpublished changes; `all`: both.
    route('GET', '/__sandbox/articles', (ctx) => {
      const author = ctx.url.searchParams.get('author') ?? undefined;
      const state = parseWith(stateSchema, ctx.url.searchParams.get('state') ?? 'published');
      const published = state === 'draft' ? [] : s.store.articles(author).map(publicArticle);
      const drafts = state === 'published' ? [] : s.store.pendingDrafts(author).map((d) => pendingDraft(d, s.store.article(d.id) !== undefined));
      sendJson(ctx.res, 200, [...published, ...drafts]);
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
