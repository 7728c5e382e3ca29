import { escapeHtml, page, scriptJson } from './layout.js';

// What a public article page answers a request without a valid `__zse_ck` (HTTP 403): Zhihu's
// anti-crawler check. A browser runs the script, gets the cookie and reloads into the article; a
// plain HTTP client only ever sees this page, which carries no article data. No <h1>, so nothing
// waiting for the article's heading mistakes it for the article.

export function challengePage(token: string): string {
  return page({
    title: '知乎 - 安全验证',
    body: `<main class="Card Challenge" data-challenge="zse-ck"><p>正在进行安全验证…</p></main>
<script>document.cookie = '__zse_ck=' + ${scriptJson(JSON.stringify(token))} + '; path=/'; location.reload();</script>`,
  });
}

/** The 40362 page a session meets right after a publish that went through (`risk-after-publish`). */
export function riskPage(error: { code: number; message: string }): string {
  return page({
    title: '知乎 - 有问题，就会有答案',
    body: `<main class="ErrorPage" data-code="${error.code}"><h1 class="ErrorPage-title">${error.code}</h1>
<p class="ErrorPage-subtitle">${escapeHtml(error.message)}</p>
<a class="Button" href="/">返回首页</a></main>`,
  });
}
