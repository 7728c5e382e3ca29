import { escapeHtml, header, page } from './layout.js';

export interface HomeArticle {
  id: string;
  title: string;
  author: string;
}

export function homePage(user: string | null, recent: HomeArticle[]): string {
  const items = recent
    .map((a) => `<li><a href="/p/${a.id}">${escapeHtml(a.title)}</a> <span class="Home-author">${escapeHtml(a.author)}</span></li>`)
    .join('');
  return page({
    title: '知乎 - 有问题，就会有答案',
    css: '.Home-author{color:#8590a6;font-size:13px}',
    body: `${header(user)}
<main class="Card">
<h1>知乎专栏沙盒</h1>
<p>本地替身：与 zhuanlan.zhihu.com 相同的页面与接口，用来测试发布流程。</p>
<p><a class="Button Button--primary" href="/write">写文章</a></p>
<h2>最新文章</h2>
${items ? `<ul>${items}</ul>` : '<p>还没有文章。</p>'}
</main>`,
  });
}
