import { sendPage, type SandboxState } from '../context.js';
import { cookieOf, redirect } from '../http.js';
import { articlePage } from '../pages/article.js';
import { challengePage, riskPage } from '../pages/challenge.js';
import { notFoundPage } from '../pages/not-found.js';
import { ARTICLE_ID, route, type Route } from '../router.js';
import { ERR } from '../zhihu-errors.js';

// The public article page, behind Zhihu's anti-crawler check (RSSHub #18758): without `__zse_ck`
// the answer is 403 and a script that sets it; a stale value goes to /account/unhuman. A browser
// passes by running the script; a cookieless HTTP client never sees the article, logged in or not.

export const CHALLENGE_COOKIE = '__zse_ck';

export function articleRoutes(s: SandboxState): Route[] {
  return [
    route('GET', new RegExp(`^/p/${ARTICLE_ID}$`), (ctx, [id = '']) => {
      const token = cookieOf(ctx.req, CHALLENGE_COOKIE);
      if (!token) return sendPage(ctx, 403, challengePage(s.challengeToken));
      if (token !== s.challengeToken) {
        return redirect(ctx.res, `${ctx.origin}/account/unhuman?type=unhuman&message=${encodeURIComponent(ERR.captcha.message)}&need_login=${ctx.account ? 'false' : 'true'}`);
      }
      const article = s.store.article(id);
      if (!article) return sendPage(ctx, 404, notFoundPage(ctx.account));
      if (ctx.account && s.riskViews.get(id) === ctx.account) {
        s.riskViews.delete(id);
        return sendPage(ctx, 403, riskPage(ERR.risk));
      }
      sendPage(ctx, 200, articlePage(article, ctx.origin, ctx.account));
    }),
  ];
}
