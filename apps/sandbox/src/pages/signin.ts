import { escapeHtml, header, page } from './layout.js';

// The real sign-in needs a phone and an SMS code; here a name is enough, since the account only
// has to exist as far as the cookie goes.

export function signinPage(options: { next: string; error?: string; name?: string }): string {
  const error = options.error ? `<p class="SignFlow-error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return page({
    title: '知乎 - 有问题，就会有答案',
    css: `.SignFlow{max-width:400px}.SignFlow h1{font-size:22px;margin:0 0 16px}.SignFlow label{display:block;margin:0 0 16px}
.SignFlow-error{color:#f1403c}.SignFlow .Button{width:100%;line-height:40px}.SignFlow-hint{color:#8590a6;font-size:13px}`,
    body: `${header(null)}
<main class="Card SignFlow">
<h1>登录知乎（沙盒）</h1>
<p class="SignFlow-hint">沙盒里没有密码：输入一个账号名（可以是中文）即可登录，Cookie 是 <code>z_c0=sandbox-</code> 加上 URL 编码后的账号名。</p>
${error}
<form method="post" action="/signin">
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<label>账号名<input class="Input" name="name" required maxlength="40" autocomplete="username" placeholder="例如 alice" value="${escapeHtml(options.name ?? '')}"></label>
<button type="submit" class="Button Button--primary">登录</button>
</form>
</main>`,
  });
}
