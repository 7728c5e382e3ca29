import { z } from 'zod';
import { sendPage, type RequestContext, type SandboxState } from '../context.js';
import { isSafeUrl } from '../html-policy.js';
import { HttpError, parseWith, readJson, redirect, sendJson, unixSeconds } from '../http.js';
import { forbiddenPage, notFoundPage } from '../pages/not-found.js';
import { writePage } from '../pages/write.js';
import { ARTICLE_ID, route, type Route } from '../router.js';
import { sanitizeHtml } from '../sanitize.js';
import { columnsOf } from '../settings.js';
import type { Draft } from '../store.js';
import { ERR, MAX_TOPICS } from '../zhihu-errors.js';

// zhuanlan.zhihu.com's editor: the page (/write, /p/<id>/edit for a draft or a published article
// of the account), autosave of drafts, and the topics the today layout attaches to a draft one by
// one. Publishing is in publish.ts.

const draftBodySchema = z.object({
  title: z.string().max(10_000).optional(),
  content: z.string().optional(),
  delta_time: z.number().optional(),
  // The cover, as zhihu_obsidian sets it; '' or null removes it.
  titleImage: z
    .string()
    .max(2048)
    .refine((v) => v === '' || isSafeUrl(v, false), 'must be an http(s) image URL')
    .nullable()
    .optional(),
  isTitleImageFullScreen: z.boolean().optional(),
});
const topicBodySchema = z.object({ id: z.union([z.string(), z.number()]).transform(String) });

function draftJson(d: Draft, origin: string) {
  return {
    id: d.id,
    type: 'article',
    state: 'draft',
    title: d.title,
    content: d.content,
    titleImage: d.titleImage ?? '',
    topics: d.topics.map((t) => ({ id: t.id, name: t.name, type: 'topic' })),
    author: { url_token: d.author, name: d.author },
    created: unixSeconds(d.created),
    updated: unixSeconds(d.updated),
    url: `${origin}/p/${d.id}`,
  };
}

export function editorRoutes(s: SandboxState): Route[] {
  async function editor(ctx: RequestContext, draftId: string | null): Promise<void> {
    const path = draftId ? `/p/${draftId}/edit` : '/write';
    const account = ctx.account;
    if (!account || s.faults.take('login-expired', account)) {
      return redirect(ctx.res, `${ctx.origin}/signin?next=${encodeURIComponent(`${ctx.origin}${path}`)}`);
    }
    let draft = null;
    let article = null;
    if (draftId) {
      const author = s.store.authorOf(draftId);
      if (author === undefined) return sendPage(ctx, 404, notFoundPage(account));
      if (author !== account) return sendPage(ctx, 403, forbiddenPage(account));
      draft = s.store.draftFromArticle(draftId);
      article = s.store.article(draftId) ?? null;
      if (!draft) return sendPage(ctx, 404, notFoundPage(account));
    }
    const slow = s.faults.take('slow-page', account);
    if (slow?.ms) await s.wait(slow.ms);
    const changed = s.faults.take('editor-changed', account) !== undefined;
    const crash = s.faults.take('renderer-crash', account) !== undefined;
    sendPage(
      ctx,
      200,
      writePage({
        user: account,
        layout: s.config.layout,
        columns: columnsOf(account),
        draft: draft
          ? {
              id: draft.id,
              title: draft.title,
              content: draft.content,
              topics: draft.topics,
              // Editing a published article starts from the settings it was published with.
              published: article !== null,
              column: article?.column?.id ?? '',
              statement: article?.statement ?? 'none',
              commentPermission: article?.commentPermission ?? 'anyone',
            }
          : null,
        editor: changed ? 'prosemirror' : 'draft-js',
        crash,
      }),
    );
  }

  /** A write to one of the account's own drafts, from a page that holds the xsrf token. */
  function writable(ctx: RequestContext, id: string) {
    const who = s.requireAccount(ctx);
    s.requireXsrf(ctx);
    return s.ownDraft(who, id);
  }

  return [
    route('GET', '/write', (ctx) => editor(ctx, null)),
    route('GET', new RegExp(`^/p/${ARTICLE_ID}/edit$`), (ctx, [id]) => editor(ctx, id ?? '')),
    route('POST', '/api/articles/drafts', async (ctx) => {
      const who = s.requireAccount(ctx);
      s.requireXsrf(ctx);
      const body = parseWith(draftBodySchema, await readJson(ctx.req));
      await s.wait(s.config.delayMs);
      const draft = s.store.createDraft(who, body.title ?? '', sanitizeHtml(body.content ?? ''));
      sendJson(ctx.res, 200, draftJson(draft, ctx.origin));
    }),
    route('PATCH', new RegExp(`^/api/articles/${ARTICLE_ID}/draft$`), async (ctx, [id = '']) => {
      writable(ctx, id);
      const body = parseWith(draftBodySchema, await readJson(ctx.req));
      await s.wait(s.config.delayMs);
      const draft = s.store.updateDraft(id, {
        title: body.title,
        content: body.content === undefined ? undefined : sanitizeHtml(body.content),
        titleImage: body.titleImage === undefined ? undefined : body.titleImage || null,
      });
      if (!draft) throw new HttpError(404, { error: ERR.notFound });
      sendJson(ctx.res, 200, draftJson(draft, ctx.origin));
    }),
    // The body is the topic as the autocomplete answered it (zhihu_obsidian src/topics.ts).
    route('POST', new RegExp(`^/api/articles/${ARTICLE_ID}/topics$`), async (ctx, [id = '']) => {
      const draft = writable(ctx, id);
      const topic = s.topics.byId(parseWith(topicBodySchema, await readJson(ctx.req)).id);
      if (!topic) throw new HttpError(400, { error: ERR.unknownTopic });
      const topics = draft.topics.some((t) => t.id === topic.id) ? draft.topics : [...draft.topics, { id: topic.id, name: topic.name }];
      if (topics.length > MAX_TOPICS) throw new HttpError(400, { error: ERR.tooManyTopics });
      s.store.updateDraft(id, { topics });
      sendJson(ctx.res, 200, topics.map((t) => ({ id: t.id, name: t.name, type: 'topic' })));
    }),
    route('DELETE', new RegExp(`^/api/articles/${ARTICLE_ID}/topics/(\\d{1,20})$`), (ctx, [id = '', topicId]) => {
      const draft = writable(ctx, id);
      const topics = draft.topics.filter((t) => t.id !== topicId);
      s.store.updateDraft(id, { topics });
      sendJson(ctx.res, 200, topics.map((t) => ({ id: t.id, name: t.name, type: 'topic' })));
    }),
  ];
}
