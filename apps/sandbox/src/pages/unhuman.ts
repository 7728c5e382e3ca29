import { escapeHtml, header, page } from './layout.js';

// Where Zhihu sends a session it suspects (error 40352). There is nothing to solve in the
// sandbox: the page exists so a publisher can recognise it and give up on the task.

export function unhumanPage(message: string): string {
  return page({
    title: '安全验证 - 知乎',
    css: `.Unhuman{text-align:center}.Unhuman-captcha{width:150px;height:60px;margin:16px auto;background:repeating-linear-gradient(45deg,#e5e5e5 0 6px,#f6f6f6 6px 12px);border:1px solid #ebebeb;display:flex;align-items:center;justify-content:center;color:#8590a6;letter-spacing:4px}
.Unhuman-code{color:#8590a6;font-size:13px}`,
    body: `${header(null)}
<main class="Card Unhuman" data-code="40352">
<h1>为了您的账号安全，请完成验证</h1>
<p>${escapeHtml(message)}</p>
<div class="Unhuman-captcha" role="img" aria-label="验证码图片">验证码</div>
<input class="Input" style="max-width:200px" placeholder="请输入图中的字符" aria-label="验证码">
<p class="Unhuman-code">错误代码 40352</p>
</main>`,
  });
}
