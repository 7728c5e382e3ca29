// @vitest-environment jsdom
import DOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import { renderPreview, sanitizeHtml } from './preview';

function inert(html: string): void {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  expect(doc.querySelectorAll('script, iframe, object, embed, style, svg, form').length).toBe(0);
  for (const el of doc.body.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      expect(attr.startsWith('on')).toBe(false);
      const value = el.getAttribute(attr) ?? '';
      expect(/^\s*(javascript|data|vbscript):/i.test(value)).toBe(false);
    }
  }
}

describe('preview sanitization', () => {
  it('shows a hostile title as text, not markup', async () => {
    const html = await renderPreview('<img src=x onerror=alert(1)>', 'hello');
    inert(html);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    expect(doc.querySelector('h1')?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(doc.querySelectorAll('img').length).toBe(0);
  });

  it('keeps a <script> in the body from running', async () => {
    const html = await renderPreview('T', 'before\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))');
    inert(html);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('before');
  });

  it('keeps what Zhihu needs: code blocks, formulas, figures and web links', async () => {
    const html = await renderPreview('T', '```ts\nconst a = 1;\n```\n\n$x^2$\n\n![cap](https://example.com/a.png)\n\n[site](https://example.com)');
    const doc = new DOMParser().parseFromString(html, 'text/html');
    expect(doc.querySelector('pre')?.getAttribute('lang')).toBe('ts');
    expect(doc.querySelector('img[eeimg]')).not.toBeNull();
    expect(doc.querySelector('figure img')?.getAttribute('src')).toBe('https://example.com/a.png');
    const a = doc.querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.com');
    expect(a?.getAttribute('rel')).toContain('noopener');
  });

  it('strips handlers and dangerous URLs from raw HTML too', () => {
    const out = sanitizeHtml(
      DOMPurify,
      '<p onclick="x()">a</p><a href="javascript:alert(1)">b</a><img src="data:text/html,x"><iframe src="https://e"></iframe><svg><script>1</script></svg><a href="//evil.example">c</a>',
    );
    inert(out);
    expect(out).not.toContain('onclick');
    expect(out).not.toContain('iframe');
    expect(out).not.toContain('//evil.example');
  });
});
