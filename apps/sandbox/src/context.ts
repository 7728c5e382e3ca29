import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRegistry } from './faults.js';
import { HttpError, XSRF_COOKIE, cookieOf, sendHtml } from './http.js';
import type { ImageHost } from './images.js';
import type { Logger } from './log.js';
import type { Layout } from './pages/write.js';
import type { Store } from './store.js';
import type { TopicIndex } from './topics.js';
import { ERR } from './zhihu-errors.js';

// What every route shares: the stores, the faults, the runtime config, and the one request being
// answered. Routes are plain functions of (request context, path parameters); see router.ts.

export interface SandboxConfig {
  /** How long draft saves, publishes and uploads take, and the pause before the post-publish redirect. */
  delayMs: number;
  /** Which editor flow /write serves: `today` (settings on the page, one-click 发布) or `legacy` (dialog). */
  layout: Layout;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  /** The origin the request was addressed to, e.g. http://127.0.0.1:3100 */
  origin: string;
  /** The logged-in account, or null. */
  account: string | null;
}

export class SandboxState {
  readonly seen = new Set<string>();
  /** Articles whose next view by their author shows the 40362 page (`risk-after-publish`, today). */
  readonly riskViews = new Map<string, string>();
  /** The value of `__zse_ck` that passes the article pages' anti-crawler check; rotates per process. */
  readonly challengeToken = randomBytes(12).toString('hex');

  constructor(
    readonly store: Store,
    readonly faults: FaultRegistry,
    readonly topics: TopicIndex,
    readonly images: ImageHost,
    readonly config: SandboxConfig,
    readonly log: Logger,
    private readonly shutdown: AbortSignal,
  ) {}

  wait(ms: number): Promise<void> {
    return ms > 0 ? sleep(ms, undefined, { signal: this.shutdown }) : Promise.resolve();
  }

  requireAccount(ctx: RequestContext): string {
    if (!ctx.account) throw new HttpError(401, { error: ERR.loginExpired });
    return ctx.account;
  }

  /** A write from a page must carry `x-xsrftoken` equal to the `_xsrf` cookie, as Zhihu's do. */
  requireXsrf(ctx: RequestContext): void {
    const cookie = cookieOf(ctx.req, XSRF_COOKIE);
    const header = ctx.req.headers['x-xsrftoken'];
    if (!cookie || header !== cookie) throw new HttpError(403, { error: ERR.xsrf });
  }

  /**
   * The account's draft `id`; a published article is edited through a draft under its own id, made
   * on first use (zhihu_obsidian PATCHes `/api/articles/<id>/draft` of a published article directly).
   */
  ownDraft(account: string, id: string) {
    const author = this.store.authorOf(id);
    if (author === undefined) throw new HttpError(404, { error: ERR.notFound });
    if (author !== account) throw new HttpError(403, { error: ERR.forbidden });
    const draft = this.store.draftFromArticle(id);
    if (!draft) throw new HttpError(404, { error: ERR.notFound });
    return draft;
  }

  reset(): void {
    this.faults.clear();
    this.seen.clear();
    this.riskViews.clear();
    this.images.clear();
  }
}

/** An HTML page; a visitor without `_xsrf` gets one, as every Zhihu page hands it out. */
export function sendPage(ctx: RequestContext, status: number, html: string): void {
  const headers: Record<string, string> = {};
  if (!cookieOf(ctx.req, XSRF_COOKIE)) headers['Set-Cookie'] = `${XSRF_COOKIE}=${randomBytes(16).toString('hex')}; Path=/; SameSite=Lax`;
  sendHtml(ctx.res, status, html, headers);
}
