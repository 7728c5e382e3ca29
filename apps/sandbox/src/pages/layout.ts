// Shared shell of every page: no external resources (the sandbox runs without a network), just
// enough CSS that a person can use the pages and recognise Zhihu's layout.

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe inside a <script> element: no `<` can end the element or open a comment. */
export function scriptJson(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.6 -apple-system,BlinkMacSystemFont,"Helvetica Neue","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#121212;background:#f6f6f6}
a{color:#175199;text-decoration:none}a:hover{text-decoration:underline}
.AppHeader{background:#fff;box-shadow:0 1px 3px rgba(18,18,18,.1);height:52px;display:flex;align-items:center;padding:0 24px;gap:16px;position:sticky;top:0;z-index:10}
.ZhihuLogo{font-weight:700;font-size:22px;color:#1772f6}
.AppHeader-title{font-size:16px;color:#444}
.AppHeader-spacer{flex:1}
.AppHeader-user{color:#8590a6;font-size:14px}
.Button{border:1px solid #1772f6;color:#1772f6;background:#fff;border-radius:3px;padding:0 14px;line-height:32px;font-size:14px;cursor:pointer}
.Button--primary{background:#1772f6;color:#fff}
.Button:disabled{opacity:.5;cursor:not-allowed}
.Card{background:#fff;border-radius:2px;box-shadow:0 1px 3px rgba(18,18,18,.1);padding:24px;max-width:690px;margin:24px auto}
.Input{width:100%;border:1px solid #ebebeb;border-radius:3px;padding:8px 12px;font:inherit}
.RichText h1,.RichText h2{font-size:1.2em}.RichText h3,.RichText h4{font-size:1.1em}
.RichText blockquote{margin:1em 0;padding-left:1em;color:#646464;border-left:3px solid #d3d3d3}
.RichText pre{background:#f6f6f6;padding:12px;overflow:auto;border-radius:4px}
.RichText code{background:#f6f6f6;padding:0 4px;border-radius:3px}
.RichText img{max-width:100%}
.RichText table{border-collapse:collapse}.RichText td,.RichText th{border:1px solid #d3d3d3;padding:4px 8px}
.ErrorPage{text-align:center;padding:80px 24px;color:#646464}
.ErrorPage-title{font-size:40px;color:#121212;margin:0 0 12px}
`;

export interface PageOptions {
  title: string;
  body: string;
  /** Extra CSS for this page only. */
  css?: string;
  head?: string;
}

export function page(options: PageOptions): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${CSS}${options.css ?? ''}</style>
${options.head ?? ''}
</head>
<body>
${options.body}
</body>
</html>
`;
}

export function header(user: string | null, title = ''): string {
  const who = user
    ? `<span class="AppHeader-user">${escapeHtml(user)} · <a href="/signout">退出</a></span>`
    : '<a class="AppHeader-user" href="/signin">登录</a>';
  return `<header class="AppHeader"><a class="ZhihuLogo" href="/">知乎</a>${
    title ? `<span class="AppHeader-title">${escapeHtml(title)}</span>` : ''
  }<span class="AppHeader-spacer"></span>${who}</header>`;
}
