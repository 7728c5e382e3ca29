import { bareNumber, stringifyWithBareNumbers } from '../json.js';
import { STATEMENTS } from '../settings.js';
import type { Article } from '../store.js';
import { escapeHtml, header, page, scriptJson } from './layout.js';

// The public article page. Publishers prove an article is live by reading
// script#js-initialData here, so its shape follows Zhihu's: the article sits under its id as an
// object key, and the inner `id` is a bare (lossy) number.

const dateFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function articlePage(article: Article, origin: string, viewer: string | null): string {
  const url = `${origin}/p/${article.id}`;
  const initialData = {
    initialState: {
      entities: {
        articles: {
          [article.id]: {
            id: bareNumber(article.id),
            title: article.title,
            state: 'published',
            author: { urlToken: article.author, name: article.author },
            content: article.html,
            topics: article.topics.map((t) => ({ id: t.id, name: t.name })),
            column: article.column,
            titleImage: article.cover ?? '',
            commentPermission: article.commentPermission,
            disclaimerType: article.statement,
            created: Math.floor(article.created / 1000),
            updated: Math.floor(article.updated / 1000),
            url,
          },
        },
      },
    },
  };
  const topics = article.topics
    .map((t) => `<div class="Tag Topic" data-topic-id="${escapeHtml(t.id)}"><span class="Tag-content">${escapeHtml(t.name)}</span></div>`)
    .join('');
  const edited = article.updated !== article.created ? '编辑于' : '发布于';
  const cover = article.cover ? `<img class="TitleImage" src="${escapeHtml(article.cover)}" alt="">` : '';
  const column = article.column
    ? `<div class="ColumnLink">所属专栏 · <span class="ColumnLink-title">${escapeHtml(article.column.title)}</span></div>`
    : '';
  const statement = article.statement !== 'none' ? `<div class="Post-Statement">${escapeHtml(STATEMENTS[article.statement] ?? article.statement)}</div>` : '';
  return page({
    title: `${article.title} - 知乎`,
    css: `.Post-Title{font-size:24px;margin:0 0 12px}.AuthorInfo-name{font-weight:600}
.Post-Topics{display:flex;gap:8px;flex-wrap:wrap;margin-top:16px}.Tag{background:#ebf5ff;color:#1772f6;border-radius:100px;padding:0 12px;font-size:14px}
.ContentItem-time{color:#8590a6;font-size:14px;margin-top:16px}.TitleImage{width:100%;margin-bottom:16px}.Post-Statement,.ColumnLink{color:#8590a6;font-size:14px;margin-top:8px}`,
    body: `${header(viewer, '专栏')}
<main class="Card Post-Main" data-zop='${escapeHtml(JSON.stringify({ itemId: article.id, type: 'article' }))}'>
<article class="Post-NormalMain">
${cover}
<header class="Post-Header">
<h1 class="Post-Title">${escapeHtml(article.title)}</h1>
<div class="Post-Author"><span class="AuthorInfo-name">${escapeHtml(article.author)}</span></div>
</header>
<div class="Post-RichTextContainer"><div class="RichText ztext Post-RichText">${article.html}</div></div>
<div class="ContentItem-time">${edited} ${dateFormat.format(article.updated)}</div>
${statement}${column}
<div class="Post-topicsAndReviewer"><div class="TopicList Post-Topics">${topics}</div></div>
</article>
</main>
<script id="js-initialData" type="text/json">${scriptJson(stringifyWithBareNumbers(initialData))}</script>`,
  });
}
