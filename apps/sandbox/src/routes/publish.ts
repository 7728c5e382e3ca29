import { z } from 'zod';
import type { RequestContext, SandboxState } from '../context.js';
import { HttpError, paramsError, parseWith, readJson, sendJson } from '../http.js';
import { ARTICLE_ID, route, type Route } from '../router.js';
import { hasContent, sanitizeHtml } from '../sanitize.js';
import { COMMENT_PERMISSIONS, STATEMENTS, columnsOf } from '../settings.js';
import type { Column, StoredTopic } from '../store.js';
import { ERR, MAX_TITLE_CHARS, MAX_TOPICS } from '../zhihu-errors.js';

// Publishing, in the two shapes Zhihu has used. Today (2025-26): POST {www}/api/v4/content/publish
// names the saved draft and carries the settings; a refusal is HTTP 200 with a `code` in the body.
// Legacy (2019-21): PUT /api/articles/<id>/publish with everything in the body; refusals are HTTP
// errors. Both run the same checks and faults, in the order Zhihu would refuse a request.

const statementSchema = z.enum(Object.keys(STATEMENTS) as [string, ...string[]]);
const commentSchema = z.enum(Object.keys(COMMENT_PERMISSIONS) as [string, ...string[]]);
/** A column as a page names it: its id, `{ id }`, or the legacy `{ slug }`; null = no column. */
const columnRefSchema = z
  .union([z.string(), z.object({ id: z.string() }), z.object({ slug: z.string() })])
  .nullable()
  .optional()
  .transform((c) => (c == null ? null : typeof c === 'string' ? c || null : 'id' in c ? c.id : c.slug));

const legacyBodySchema = z.object({
  title: z.string().max(10_000),
  content: z.string(),
  topics: z.array(z.string().regex(/^\d{1,20}$/, 'must be a topic id (digits)')).max(50).default([]),
  column: columnRefSchema,
  commentPermission: commentSchema.optional(),
  disclaimer_type: statementSchema.optional(),
  disclaimer_status: z.enum(['open', 'close', 'closed']).optional(),
});

const todayBodySchema = z.object({
  action: z.literal('article'),
  data: z.object({
    draft: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
    extra_info: z.object({ pc_business_params: z.string().optional() }).optional(),
    commentsPermission: z.object({ comment_permission: commentSchema }).optional(),
    creationStatement: z.object({ disclaimer_type: statementSchema, disclaimer_status: z.enum(['open', 'close', 'closed']) }).optional(),
  }),
});
const businessSchema = z.object({ column: columnRefSchema });

interface PublishInput {
  title: string;
  content: string;
  topicIds: string[];
  column: string | null;
  cover: string | null;
  statement: string;
  commentPermission: string;
}

/** How one shape of the API answers: a refusal, or the article accepted (with the page's redirect cue). */
interface Answers {
  refuse(status: number, error: { code: number; message: string; name?: string; redirect?: string }): never;
  accept(id: string, redirectAfterMs: number | null): void;
}

function statementOf(type: string | undefined, status: string | undefined): string {
  return type && status === 'open' ? type : 'none';
}

export function publishRoutes(s: SandboxState): Route[] {
  /** `riskInAnswer`: legacy Zhihu answered the publish itself with 40362; today the page it lands on shows it. */
  async function publish(ctx: RequestContext, account: string, id: string, input: PublishInput, answers: Answers, riskInAnswer: boolean): Promise<void> {
    // The request takes as long as Zhihu's would, whatever its answer.
    await s.wait(s.config.delayMs);
    if (s.faults.take('login-expired', account)) throw new HttpError(401, { error: ERR.loginExpired });

    const title = input.title.trim();
    const html = sanitizeHtml(input.content);
    if (!title) answers.refuse(400, ERR.titleEmpty);
    if ([...title].length > MAX_TITLE_CHARS) answers.refuse(400, ERR.titleTooLong);
    if (!hasContent(html)) answers.refuse(400, ERR.contentEmpty);
    const topicIds = [...new Set(input.topicIds)];
    if (topicIds.length > MAX_TOPICS) answers.refuse(400, ERR.tooManyTopics);
    const topics: StoredTopic[] = [];
    for (const topicId of topicIds) {
      const topic = s.topics.byId(topicId);
      if (!topic) answers.refuse(400, ERR.unknownTopic);
      topics.push({ id: topic.id, name: topic.name });
    }
    let column: Column | null = null;
    if (input.column) {
      column = columnsOf(account).find((c) => c.id === input.column) ?? null;
      if (!column) answers.refuse(400, ERR.unknownColumn);
    }

    if (s.faults.take('captcha', account)) {
      const redirectTo = `${ctx.origin}/account/unhuman?type=unhuman&message=${encodeURIComponent(ERR.captcha.message)}&need_login=true`;
      answers.refuse(403, { ...ERR.captcha, redirect: redirectTo });
    }
    if (s.faults.take('phone-binding', account)) answers.refuse(403, ERR.phone);
    if (s.faults.take('toast-error', account)) answers.refuse(500, ERR.toast);
    if (topics.length === 0 && s.faults.take('topic-required', account)) answers.refuse(400, ERR.topicRequired);

    const article = { title, html, topics, column, cover: input.cover, statement: input.statement, commentPermission: input.commentPermission };
    const noRedirect = s.faults.take('no-redirect', account);
    if (noRedirect) {
      if (noRedirect.publish !== false) await s.store.publish(id, article);
      // The page reads this cue to stay put; a publisher driving the page never sees it.
      return answers.accept(id, null);
    }
    const risk = s.faults.take('risk-after-publish', account);
    if (risk?.publish === false) answers.refuse(403, ERR.risk);
    await s.store.publish(id, article);
    if (risk && riskInAnswer) answers.refuse(403, ERR.risk);
    if (risk) s.riskViews.set(id, account);
    const slow = s.faults.take('slow-redirect', account);
    answers.accept(id, slow?.ms ?? s.config.delayMs);
  }

  return [
    route('PUT', new RegExp(`^/api/articles/${ARTICLE_ID}/publish$`), async (ctx, [id = '']) => {
      const account = s.requireAccount(ctx);
      const draft = s.ownDraft(account, id);
      s.requireXsrf(ctx);
      const body = parseWith(legacyBodySchema, await readJson(ctx.req));
      const input: PublishInput = {
        title: body.title,
        content: body.content,
        topicIds: body.topics,
        column: body.column,
        cover: draft.titleImage,
        statement: statementOf(body.disclaimer_type, body.disclaimer_status),
        commentPermission: body.commentPermission ?? 'anyone',
      };
      await publish(ctx, account, id, input, {
        refuse: (status, error) => {
          throw new HttpError(status, { error });
        },
        accept: (articleId, redirectAfterMs) =>
          sendJson(ctx.res, 200, { id: articleId, url: `${ctx.origin}/p/${articleId}`, state: 'published', _sandbox: { redirectAfterMs } }),
      }, true);
    }),
    route('POST', '/api/v4/content/publish', async (ctx) => {
      const account = s.requireAccount(ctx);
      s.requireXsrf(ctx);
      const body = parseWith(todayBodySchema, await readJson(ctx.req));
      const id = body.data.draft.id;
      if (!new RegExp(`^${ARTICLE_ID}$`).test(id)) throw paramsError('data.draft.id: not an article id');
      const draft = s.ownDraft(account, id);
      let business: z.infer<typeof businessSchema> = { column: null };
      try {
        business = businessSchema.parse(JSON.parse(body.data.extra_info?.pc_business_params ?? '{}'));
      } catch {
        throw paramsError('data.extra_info.pc_business_params: not the expected JSON');
      }
      const statement = body.data.creationStatement;
      const input: PublishInput = {
        title: draft.title,
        content: draft.content,
        topicIds: draft.topics.map((t) => t.id),
        column: business.column,
        cover: draft.titleImage,
        statement: statementOf(statement?.disclaimer_type, statement?.disclaimer_status),
        commentPermission: body.data.commentsPermission?.comment_permission ?? 'anyone',
      };
      await publish(ctx, account, id, input, {
        // Refusals come as HTTP 200 with a code (zhihu_obsidian checks `message === "success"`).
        refuse: (_status, error) => {
          throw new HttpError(200, error);
        },
        accept: (articleId, redirectAfterMs) =>
          // The shape of a recorded answer (jack-base/zhihu-publisher-vscode src/resource/publish.har, 2025-07).
          sendJson(ctx.res, 200, {
            code: 0,
            message: 'success',
            toast_message: '',
            data: {
              publish_type: 'article',
              result: JSON.stringify({ publish: { id: articleId, url: `${ctx.origin}/p/${articleId}`, state: 'published', type: 'article' } }),
            },
            _sandbox: { redirectAfterMs },
          }),
      }, false);
    }),
  ];
}
