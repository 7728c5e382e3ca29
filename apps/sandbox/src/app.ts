import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ACCOUNT_NAME, FaultRegistry, FaultSpecError, parseFaultSpec } from './faults.js';
import { bareNumber, stringifyWithBareNumbers } from './json.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { articlePage } from './pages/article.js';
import { homePage } from './pages/home.js';
import { notFoundPage } from './pages/not-found.js';
import { signinPage } from './pages/signin.js';
import { unhumanPage } from './pages/unhuman.js';
import { writePage } from './pages/write.js';
import { hasContent, htmlToText, sanitizeHtml } from './sanitize.js';
import { Store } from './store.js';
import type { Article, StoredTopic } from './store.js';
import { TopicIndex } from './topics.js';

// The sandbox's HTTP surface: www.zhihu.com and zhuanlan.zhihu.com paths on one port, plus the
// /__sandbox hooks tests use. Faults fire where app code calls `faults.take(...)`; the order of
// those calls in the publish handler is the order in which Zhihu would reject a request.

export interface SandboxOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long draft saves and publishes take, and the pause before the post-publish redirect. */
  delayMs?: number;
  /** Where published articles persist across restarts; none = memory only. */
  dataFile?: string;
  logger?: Logger;
}

export interface Sandbox {
  server: Server;
  /** e.g. http://127.0.0.1:3100 */
  url: string;
  close(): Promise<void>;
}

const LOGIN_COOKIE = 'z_c0';
const COOKIE_PREFIX = 'sandbox-';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const MAX_TITLE_CHARS = 100;
const MAX_TOPICS = 3;
const ARTICLE_ID = '(\\d{15,20})';

const ERR = {
  loginExpired: { code: 100, name: 'AuthenticationInvalidRequest', message: '请求参数异常，请升级客户端后重试。' },
  captcha: { code: 40352, name: 'ERR_NEED_CAPTCHA', message: '系统监测到您的网络环境存在异常，为保证您的正常访问，请输入验证码进行验证。' },
  risk: {
    code: 40362,
    name: 'ERR_RISK_CONTROL',
    message: '您当前请求存在异常，暂时限制本次访问。如有疑问，您可以通过手机摇一摇或登录后私信知乎小管家反馈。',
  },
  phone: { code: 4031, name: 'ERR_PHONE_BINDING', message: '根据国家法律法规要求，发布内容前需要绑定手机号。' },
  topicRequired: { code: 10002, message: '请至少添加一个话题' },
  toast: { code: 10001, message: '发布失败，请稍后重试' },
  titleTooLong: { code: 10001, message: `标题最多 ${MAX_TITLE_CHARS} 个字` },
  titleEmpty: { code: 10001, message: '请输入标题' },
  contentEmpty: { code: 10001, message: '请输入正文' },
  tooManyTopics: { code: 10004, message: `最多添加 ${MAX_TOPICS} 个话题` },
  unknownTopic: { code: 10003, message: '话题不存在' },
  notFound: { code: 404, name: 'NotFoundError', message: '你似乎来到了没有知识存在的荒原' },
  forbidden: { code: 403, name: 'ForbiddenError', message: '你没有权限进行此操作' },
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const draftBodySchema = z.object({
  title: z.string().max(10_000).optional(),
  content: z.string().optional(),
  delta_time: z.number().optional(),
});
const publishBodySchema = z.object({
  title: z.string().max(10_000),
  content: z.string(),
  topics: z.array(z.string().regex(/^\d{1,20}$/, 'must be a topic id (digits)')).max(50).default([]),
  column: z.string().nullable().optional(),
  commentPermission: z.string().optional(),
});
const configBodySchema = z.strictObject({ delayMs: z.number().int().min(0).max(600_000) });

function describeZod(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, { error: { code: 400, name: 'ParamsError', message: describeZod(result.error) } });
  }
  return result.data;
}

function accountOf(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== LOGIN_COOKIE) continue;
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (!value.startsWith(COOKIE_PREFIX)) return null;
    const name = value.slice(COOKIE_PREFIX.length);
    return ACCOUNT_NAME.test(name) ? name : null;
  }
  return null;
}

function accountId(name: string): string {
  return createHash('md5').update(`sandbox:${name}`).digest('hex');
}

function sendRaw(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  sendRaw(res, status, 'text/html; charset=utf-8', html, headers);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, { error: { code: 413, name: 'PayloadTooLarge', message: `请求体超过 ${MAX_BODY_BYTES} 字节` } });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, { error: { code: 400, name: 'ParamsError', message: 'body: not valid JSON' } });
  }
}

/** Only a path on this origin may follow a sign-in, so /signin cannot send anyone elsewhere. */
function safeNext(next: string | null, origin: string): string {
  if (!next) return '/';
  if (next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')) return next;
  try {
    const url = new URL(next);
    if (url.origin === origin) return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    // not a URL: fall through
  }
  return '/';
}

function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function compareIdsDesc(a: string, b: string): number {
  return a.length !== b.length ? b.length - a.length : a < b ? 1 : a > b ? -1 : 0;
}

function avatarSvg(name: string): string {
  const hue = parseInt(accountId(name).slice(0, 4), 16) % 360;
  const letter = (name[0] ?? '?').toUpperCase().replace(/[<>&"']/g, '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100"><rect width="100" height="100" fill="hsl(${hue},60%,55%)"/><text x="50" y="66" font-size="50" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.logger ?? silentLogger;
  const store = new Store(options.dataFile);
  await store.load();
  const faults = new FaultRegistry();
  const topics = new TopicIndex();
  const seen = new Set<string>();
  const shutdown = new AbortController();
  let delayMs = options.delayMs ?? 300;
  let listenUrl = '';

  const originOf = (req: IncomingMessage): string => {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.[\]:-]{1,255}$/.test(host) ? `http://${host}` : listenUrl;
  };
  const wait = (ms: number) => (ms > 0 ? sleep(ms, undefined, { signal: shutdown.signal }) : Promise.resolve());

  const requireAccount = (req: IncomingMessage): string => {
    const account = accountOf(req);
    if (!account) throw new HttpError(401, { error: ERR.loginExpired });
    return account;
  };

  const ownDraft = (account: string, id: string) => {
    const draft = store.draft(id);
    if (!draft) throw new HttpError(404, { error: ERR.notFound });
    if (draft.author !== account) throw new HttpError(403, { error: ERR.forbidden });
    return draft;
  };

  const draftJson = (d: { id: string; title: string; content: string; author: string; created: number; updated: number }, origin: string) => ({
    id: d.id,
    type: 'article',
    state: 'draft',
    title: d.title,
    content: d.content,
    author: { url_token: d.author, name: d.author },
    created: unixSeconds(d.created),
    updated: unixSeconds(d.updated),
    url: `${origin}/p/${d.id}`,
  });

  const publicArticle = (a: Article) => ({
    id: a.id,
    title: a.title,
    author: a.author,
    html: a.html,
    topics: a.topics.map((t) => t.name),
    publishedAt: new Date(a.created).toISOString(),
  });

  async function editor(req: IncomingMessage, res: ServerResponse, origin: string, draftId: string | null): Promise<void> {
    const path = draftId ? `/p/${draftId}/edit` : '/write';
    const signin = `${origin}/signin?next=${encodeURIComponent(`${origin}${path}`)}`;
    const account = accountOf(req);
    if (!account || faults.take('login-expired', account)) return redirect(res, signin);
    let draft = null;
    if (draftId) {
      draft = store.draft(draftId) ?? store.draftFromArticle(draftId);
      if (!draft || draft.author !== account) return sendHtml(res, 404, notFoundPage(account));
    }
    const slow = faults.take('slow-page', account);
    if (slow?.ms) await wait(slow.ms);
    const changed = faults.take('editor-changed', account) !== undefined;
    const crash = faults.take('renderer-crash', account) !== undefined;
    sendHtml(
      res,
      200,
      writePage({
        user: account,
        draft: draft ? { id: draft.id, title: draft.title, content: draft.content } : null,
        editor: changed ? 'prosemirror' : 'draft-js',
        crash,
      }),
    );
  }

  async function publish(req: IncomingMessage, res: ServerResponse, origin: string, id: string): Promise<void> {
    const account = requireAccount(req);
    ownDraft(account, id);
    const body = parseWith(publishBodySchema, await readJson(req));
    // The request takes as long as Zhihu's would, whatever its answer.
    await wait(delayMs);
    if (faults.take('login-expired', account)) throw new HttpError(401, { error: ERR.loginExpired });

    const title = body.title.trim();
    const html = sanitizeHtml(body.content);
    if (!title) throw new HttpError(400, { error: ERR.titleEmpty });
    if ([...title].length > MAX_TITLE_CHARS) throw new HttpError(400, { error: ERR.titleTooLong });
    if (!hasContent(html)) throw new HttpError(400, { error: ERR.contentEmpty });
    const topicIds = [...new Set(body.topics)];
    if (topicIds.length > MAX_TOPICS) throw new HttpError(400, { error: ERR.tooManyTopics });
    const chosen: StoredTopic[] = [];
    for (const topicId of topicIds) {
      const topic = topics.byId(topicId);
      if (!topic) throw new HttpError(400, { error: ERR.unknownTopic });
      chosen.push({ id: topic.id, name: topic.name });
    }

    if (faults.take('captcha', account)) {
      const redirectTo = `${origin}/account/unhuman?type=unhuman&message=${encodeURIComponent(ERR.captcha.message)}&need_login=true`;
      throw new HttpError(403, { error: { ...ERR.captcha, redirect: redirectTo } });
    }
    if (faults.take('phone-binding', account)) throw new HttpError(403, { error: ERR.phone });
    if (faults.take('toast-error', account)) throw new HttpError(500, { error: ERR.toast });
    if (chosen.length === 0 && faults.take('topic-required', account)) throw new HttpError(400, { error: ERR.topicRequired });

    const success = { id, url: `${origin}/p/${id}`, state: 'published' };
    const noRedirect = faults.take('no-redirect', account);
    if (noRedirect) {
      if (noRedirect.publish !== false) await store.publish(id, { title, html, topics: chosen });
      // The page reads this hint to stay put; a publisher driving the page never sees it.
      return sendJson(res, 200, { ...success, _sandbox: { redirectAfterMs: null } });
    }
    await store.publish(id, { title, html, topics: chosen });
    if (faults.take('risk-after-publish', account)) throw new HttpError(403, { error: ERR.risk });
    const slow = faults.take('slow-redirect', account);
    sendJson(res, 200, { ...success, _sandbox: { redirectAfterMs: slow?.ms ?? delayMs } });
  }

  function memberArticles(res: ServerResponse, url: URL, origin: string, token: string): void {
    if (!ACCOUNT_NAME.test(token) || !(seen.has(token) || store.hasAuthor(token))) {
      throw new HttpError(404, { error: ERR.notFound });
    }
    const int = (name: string, fallback: number, min: number, max: number) => {
      const raw = url.searchParams.get(name);
      const n = raw === null || !/^\d+$/.test(raw) ? fallback : Number(raw);
      return Math.min(max, Math.max(min, n));
    };
    const offset = int('offset', 0, 0, 1_000_000);
    const limit = int('limit', 20, 1, 20);
    const sortBy = url.searchParams.get('sort_by') ?? 'created';
    const all = store.articles(token).sort((a, b) => b.created - a.created || compareIdsDesc(a.id, b.id));
    const pageItems = all.slice(offset, offset + limit);
    const link = (at: number) =>
      `${origin}/api/v4/members/${encodeURIComponent(token)}/articles?offset=${at}&limit=${limit}&sort_by=${encodeURIComponent(sortBy)}`;
    const body = {
      paging: {
        is_end: offset + limit >= all.length,
        is_start: offset === 0,
        totals: all.length,
        next: link(offset + limit),
        previous: link(Math.max(0, offset - limit)),
      },
      data: pageItems.map((a) => ({
        id: bareNumber(a.id),
        title: a.title,
        url: `${origin}/p/${a.id}`,
        created: unixSeconds(a.created),
        updated: unixSeconds(a.updated),
        excerpt: htmlToText(a.html).slice(0, 100),
        type: 'article',
        author: { url_token: a.author, name: a.author },
      })),
    };
    sendRaw(res, 200, 'application/json; charset=utf-8', stringifyWithBareNumbers(body));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = originOf(req);
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const account = accountOf(req);
    if (account) seen.add(account);
    let m: RegExpExecArray | null;

    // ---- test hooks ----
    if (path === '/healthz' && method === 'GET') return sendJson(res, 200, { ok: true });
    if (path === '/__sandbox/articles' && method === 'GET') {
      const author = url.searchParams.get('author') ?? undefined;
      return sendJson(res, 200, store.articles(author).map(publicArticle));
    }
    if (path === '/__sandbox/faults') {
      if (method === 'GET') return sendJson(res, 200, faults.list());
      if (method === 'DELETE') {
        faults.clear();
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'POST') {
        const input = await readJson(req);
        try {
          const fault = faults.add(parseFaultSpec(input));
          const { remaining: _remaining, ...shown } = fault;
          return sendJson(res, 201, shown);
        } catch (error) {
          if (error instanceof FaultSpecError) {
            throw new HttpError(400, { error: { code: 400, name: 'ParamsError', message: error.message } });
          }
          throw error;
        }
      }
    }
    if (path === '/__sandbox/reset' && method === 'POST') {
      faults.clear();
      seen.clear();
      await store.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__sandbox/config') {
      if (method === 'GET') return sendJson(res, 200, { delayMs });
      if (method === 'POST') {
        delayMs = parseWith(configBodySchema, await readJson(req)).delayMs;
        return sendJson(res, 200, { delayMs });
      }
    }

    // ---- www.zhihu.com ----
    if (path === '/' && method === 'GET') {
      const recent = store.articles().slice(-20).reverse();
      return sendHtml(res, 200, homePage(account, recent));
    }
    if (path === '/signin' && method === 'GET') {
      return sendHtml(res, 200, signinPage({ next: url.searchParams.get('next') ?? '/' }));
    }
    if (path === '/signin' && method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const name = (form.get('name') ?? '').trim();
      const next = form.get('next') ?? '/';
      if (!ACCOUNT_NAME.test(name)) {
        return sendHtml(res, 400, signinPage({ next, name, error: '账号名只能包含字母、数字、下划线和连字符，最多 40 个字符' }));
      }
      return redirect(res, safeNext(next, origin), { 'Set-Cookie': `${LOGIN_COOKIE}=${COOKIE_PREFIX}${name}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (path === '/signout' && method === 'GET') {
      return redirect(res, '/signin', { 'Set-Cookie': `${LOGIN_COOKIE}=; Path=/; Max-Age=0` });
    }
    if (path === '/account/unhuman' && method === 'GET') {
      return sendHtml(res, 200, unhumanPage(url.searchParams.get('message') ?? ERR.captcha.message));
    }
    if ((m = /^\/avatar\/([A-Za-z0-9_-]{1,40})\.svg$/.exec(path)) && method === 'GET') {
      return sendRaw(res, 200, 'image/svg+xml', avatarSvg(m[1] ?? ''));
    }
    if (path === '/api/v4/me' && method === 'GET') {
      if (!account || faults.take('login-expired', account)) throw new HttpError(401, { error: ERR.loginExpired });
      return sendJson(res, 200, {
        id: accountId(account),
        url_token: account,
        name: account,
        avatar_url: `${origin}/avatar/${account}.svg`,
        headline: '',
        type: 'people',
        user_type: 'people',
      });
    }
    if ((m = /^\/api\/v4\/members\/([^/]+)\/articles$/.exec(path)) && method === 'GET') {
      return memberArticles(res, url, origin, decodeURIComponent(m[1] ?? ''));
    }
    if (path === '/api/autocomplete/topics' && method === 'GET') {
      const raw = Number(url.searchParams.get('max_matches') ?? '5');
      const max = Number.isInteger(raw) ? Math.min(20, Math.max(1, raw)) : 5;
      const found = topics.search(url.searchParams.get('token') ?? '', max);
      return sendJson(res, 200, found.map((t) => ({ id: t.id, name: t.name, type: 'topic', introduction: '' })));
    }

    // ---- zhuanlan.zhihu.com ----
    if (path === '/write' && method === 'GET') return editor(req, res, origin, null);
    if ((m = new RegExp(`^/p/${ARTICLE_ID}/edit$`).exec(path)) && method === 'GET') return editor(req, res, origin, m[1] ?? '');
    if ((m = new RegExp(`^/p/${ARTICLE_ID}$`).exec(path)) && method === 'GET') {
      const article = store.article(m[1] ?? '');
      if (!article) return sendHtml(res, 404, notFoundPage(account));
      return sendHtml(res, 200, articlePage(article, origin, account));
    }
    if (path === '/api/articles/drafts' && method === 'POST') {
      const who = requireAccount(req);
      const body = parseWith(draftBodySchema, await readJson(req));
      await wait(delayMs);
      const draft = store.createDraft(who, body.title ?? '', sanitizeHtml(body.content ?? ''));
      return sendJson(res, 200, draftJson(draft, origin));
    }
    if ((m = new RegExp(`^/api/articles/${ARTICLE_ID}/draft$`).exec(path)) && method === 'PATCH') {
      const who = requireAccount(req);
      const id = m[1] ?? '';
      ownDraft(who, id);
      const body = parseWith(draftBodySchema, await readJson(req));
      await wait(delayMs);
      const draft = store.updateDraft(id, {
        title: body.title,
        content: body.content === undefined ? undefined : sanitizeHtml(body.content),
      });
      if (!draft) throw new HttpError(404, { error: ERR.notFound });
      return sendJson(res, 200, draftJson(draft, origin));
    }
    if ((m = new RegExp(`^/api/articles/${ARTICLE_ID}/publish$`).exec(path)) && method === 'PUT') {
      return publish(req, res, origin, m[1] ?? '');
    }

    if (path.startsWith('/api/') || path.startsWith('/__sandbox/')) throw new HttpError(404, { error: ERR.notFound });
    return sendHtml(res, 404, notFoundPage(account));
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    route(req, res)
      .catch((error: unknown) => {
        if (shutdown.signal.aborted) {
          res.destroy();
          return;
        }
        if (error instanceof HttpError) return sendJson(res, error.status, error.body);
        log.error('request failed', { method: req.method, url: req.url, error: (error as Error).stack ?? String(error) });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 500, name: 'InternalError', message: '服务器开小差了' } });
        else res.destroy();
      })
      .finally(() => {
        log.debug('request', { method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3100, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  listenUrl = `http://${host}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    server,
    url: listenUrl,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await store.flush();
      })();
      return closing;
    },
  };
}
