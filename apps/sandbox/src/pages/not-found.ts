import { ERR } from '../zhihu-errors.js';
import { escapeHtml, header, page } from './layout.js';

function errorPage(user: string | null, code: number, message: string): string {
  return page({
    title: '知乎 - 有问题，就会有答案',
    body: `${header(user)}
<main class="ErrorPage" data-code="${code}"><h1 class="ErrorPage-title">${code}</h1>
<p class="ErrorPage-subtitle">${escapeHtml(message)}</p>
<a class="Button" href="/">去往首页</a></main>`,
  });
}

export function notFoundPage(user: string | null): string {
  return errorPage(user, 404, ERR.notFound.message);
}

/** Someone else's article or draft: its editor is not for this account. */
export function forbiddenPage(user: string | null): string {
  return errorPage(user, 403, ERR.forbidden.message);
}
