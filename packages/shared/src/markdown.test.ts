import { describe, expect, it } from 'vitest';
import { markdownToZhihuHtml } from './markdown';

describe('markdownToZhihuHtml', () => {
  it('keeps the constructs Zhihu accepts', () => {
    const html = markdownToZhihuHtml(
      [
        '## 小标题',
        '',
        '**粗体** 和 *斜体*，[链接](https://example.com/a?b=1)。',
        '',
        '- 一',
        '- 二',
        '',
        '1. first',
        '2. second',
        '',
        '> 引用',
        '',
        '```python',
        'print("<hi>")',
        '```',
        '',
        '行内公式 $E=mc^2$，价格 $5 和 $6。',
        '',
        '$$',
        '\\int_0^1 x\\,dx',
        '$$',
        '',
        '| a | b |',
        '|---|---|',
        '| 1 | 2 |',
        '',
        '![一张图](https://example.com/p.png)',
      ].join('\n'),
    );
    expect(html).toContain('<h2>小标题</h2>');
    expect(html).toContain('<strong>粗体</strong>');
    expect(html).toContain('<em>斜体</em>');
    expect(html).toContain('<a href="https://example.com/a?b=1">链接</a>');
    expect(html).toMatch(/<ul>\s*<li>一<\/li>/);
    expect(html).toMatch(/<ol>\s*<li>first<\/li>/);
    expect(html).toMatch(/<blockquote>\s*<p>引用<\/p>/);
    expect(html).toContain('<pre lang="python">print(&quot;&lt;hi&gt;&quot;)\n</pre>');
    expect(html).toContain('<img eeimg="1" src="https://www.zhihu.com/equation?tex=E%3Dmc%5E2" alt="E=mc^2">');
    expect(html).toContain('价格 $5 和 $6');
    expect(html).toContain(`<p><img eeimg="1" src="https://www.zhihu.com/equation?tex=${encodeURIComponent('\\int_0^1 x\\,dx\\\\')}"`);
    expect(html).toMatch(/<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>/);
    expect(html).toContain('<figure><img src="https://example.com/p.png" alt="一张图" data-caption="一张图"><figcaption>一张图</figcaption></figure>');
    expect(html).not.toMatch(/<p>\s*<figure>/);
  });

  it('never passes markup or script URLs through', () => {
    const html = markdownToZhihuHtml('<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
