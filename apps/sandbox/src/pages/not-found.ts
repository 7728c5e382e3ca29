import { header, page } from './layout.js';

export function notFoundPage(user: string | null): string {
  return page({
    title: '知乎 - 有问题，就会有答案',
    body: `${header(user)}
<main class="ErrorPage"><h1 class="ErrorPage-title">404</h1>
<p class="ErrorPage-subtitle">你似乎来到了没有知识存在的荒原</p>
<a class="Button" href="/">去往首页</a></main>`,
  });
}
