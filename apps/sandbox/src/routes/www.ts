import { createHash } from 'node:crypto';
import { sendPage, type RequestContext, type SandboxState } from '../context.js';
import { ACCOUNT_NAME } from '../faults.js';
import { HttpError, LOGIN_COOKIE, decoded, loginCookieValue, readForm, redirect, safeNext, sendJson, sendRaw, unixSeconds } from '../http.js';
import { bareNumber, stringifyWithBareNumbers } from '../json.js';
import { homePage } from '../pages/home.js';
import { signinPage } from '../pages/signin.js';
import { unhumanPage } from '../pages/unhuman.js';
import { route, type Route } from '../router.js';
import { htmlToText } from '../sanitize.js';
import { columnsOf } from '../settings.js';
import { ERR } from '../zhihu-errors.js';

// www.zhihu.com: home, sign-in, the captcha page, who is logged in, an account's articles and
// columns, and the topic autocomplete the editor uses.

export function accountId(name: string): string {
  return createHash('md5').update(`sandbox:${name}`).digest('hex');
}

function avatarSvg(name: string): string {
  const hue = parseInt(accountId(name).slice(0, 4), 16) % 360;
  const letter = ([...name][0] ?? '?').toUpperCase().replace(/[<>&"']/g, '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100"><rect width="100" height="100" fill="hsl(${hue},60%,55%)"/><text x="50" y="66" font-size="50" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`;
}

function compareIdsDesc(a: string, b: string): number {
  return a.length !== b.length ? b.length - a.length : a < b ? 1 : a > b ? -1 : 0;
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  const n = raw === null || !/^\d+$/.test(raw) ? fallback : Number(raw);
  return Math.min(max, Math.max(min, n));
}

/** Zhihu's paging block for `{origin}{path}?offset&limit&...`. */
function paging(ctx: RequestContext, path: string, offset: number, limit: number, total: number, extra: string) {
  const link = (at: number) => `${ctx.origin}${path}?offset=${at}&limit=${limit}${extra}`;
  return {
    is_end: offset + limit >= total,
    is_start: offset === 0,
    totals: total,
    next: link(offset + limit),
    previous: link(Math.max(0, offset - limit)),
  };
}

export function wwwRoutes(s: SandboxState): Route[] {
  const knownAccount = (token: string) => {
    if (!ACCOUNT_NAME.test(token) || !(s.seen.has(token) || s.store.hasAuthor(token))) throw new HttpError(404, { error: ERR.notFound });
  };

  return [
    route('GET', '/', (ctx) => sendPage(ctx, 200, homePage(ctx.account, s.store.articles().slice(-20).reverse()))),
    route('GET', '/signin', (ctx) => sendPage(ctx, 200, signinPage({ next: ctx.url.searchParams.get('next') ?? '/' }))),
    route('POST', '/signin', async (ctx) => {
      const form = await readForm(ctx.req);
      const name = (form.get('name') ?? '').trim();
      const next = form.get('next') ?? '/';
      if (!ACCOUNT_NAME.test(name)) {
        return sendPage(ctx, 400, signinPage({ next, name, error: '账号名只能包含文字、数字和 _ . -（不含空格），最多 40 个字符' }));
      }
      redirect(ctx.res, safeNext(next, ctx.origin), { 'Set-Cookie': `${LOGIN_COOKIE}=${loginCookieValue(name)}; Path=/; HttpOnly; SameSite=Lax` });
    }),
    route('GET', '/signout', (ctx) => redirect(ctx.res, '/signin', { 'Set-Cookie': `${LOGIN_COOKIE}=; Path=/; Max-Age=0` })),
    route('GET', '/account/unhuman', (ctx) => sendPage(ctx, 200, unhumanPage(ctx.url.searchParams.get('message') ?? ERR.captcha.message))),
    route('GET', /^\/avatar\/([^/]{1,400})\.svg$/, (ctx, [raw]) => {
      const name = decoded(raw ?? '');
      if (name === null || !ACCOUNT_NAME.test(name)) throw new HttpError(404, { error: ERR.notFound });
      sendRaw(ctx.res, 200, 'image/svg+xml', avatarSvg(name));
    }),
    route('GET', '/api/v4/me', (ctx) => {
      const account = ctx.account;
      if (!account || s.faults.take('login-expired', account)) throw new HttpError(401, { error: ERR.loginExpired });
      sendJson(ctx.res, 200, {
        id: accountId(account),
        url_token: account,
        name: account,
        avatar_url: `${ctx.origin}/avatar/${encodeURIComponent(account)}.svg`,
        headline: '',
        type: 'people',
        user_type: 'people',
      });
    }),
    route('GET', /^\/api\/v4\/members\/([^/]+)\/articles$/, (ctx, [raw]) => {
      const token = decoded(raw ?? '') ?? '';
      knownAccount(token);
      const offset = intParam(ctx.url, 'offset', 0, 0, 1_000_000);
      const limit = intParam(ctx.url, 'limit', 20, 1, 20);
      const sortBy = ctx.url.searchParams.get('sort_by') ?? 'created';
      const all = s.store.articles(token).sort((a, b) => b.created - a.created || compareIdsDesc(a.id, b.id));
      const body = {
        paging: paging(ctx, `/api/v4/members/${encodeURIComponent(token)}/articles`, offset, limit, all.length, `&sort_by=${encodeURIComponent(sortBy)}`),
        data: all.slice(offset, offset + limit).map((a) => ({
          id: bareNumber(a.id),
          title: a.title,
          url: `${ctx.origin}/p/${a.id}`,
          created: unixSeconds(a.created),
          updated: unixSeconds(a.updated),
          excerpt: htmlToText(a.html).slice(0, 100),
          type: 'article',
          author: { url_token: a.author, name: a.author },
        })),
      };
      sendRaw(ctx.res, 200, 'application/json; charset=utf-8', stringifyWithBareNumbers(body));
    }),
    // The columns an account owns or writes for (syaning/zhihu-api lib/api/user.js).
    route('GET', /^\/api\/v4\/members\/([^/]+)\/column-contributions$/, (ctx, [raw]) => {
      const token = decoded(raw ?? '') ?? '';
      knownAccount(token);
      const offset = intParam(ctx.url, 'offset', 0, 0, 1_000_000);
      const limit = intParam(ctx.url, 'limit', 20, 1, 20);
      const all = columnsOf(token);
      sendJson(ctx.res, 200, {
        paging: paging(ctx, `/api/v4/members/${encodeURIComponent(token)}/column-contributions`, offset, limit, all.length, ''),
        data: all.slice(offset, offset + limit).map((c) => ({
          column: { id: c.id, type: 'column', title: c.title, url: `${ctx.origin}/column/${c.id}`, author: { url_token: token, name: token } },
          contributions_count: s.store.articles(token).filter((a) => a.column?.id === c.id).length,
        })),
      });
    }),
    route('GET', '/api/autocomplete/topics', (ctx) => {
      const raw = Number(ctx.url.searchParams.get('max_matches') ?? '5');
      const max = Number.isInteger(raw) ? Math.min(20, Math.max(1, raw)) : 5;
      const found = s.topics.search(ctx.url.searchParams.get('token') ?? '', max);
      sendJson(ctx.res, 200, found.map((t) => ({ id: t.id, name: t.name, type: 'topic', introduction: '' })));
    }),
  ];
}
