/**
 * A Markdown article with every construct Zhihu's editor takes goes through the real editor (paste
 * into Draft.js, the editor's own cleaning, publish) and each construct is in the stored article
 * and on its public page.
 */
import type { TaskEvent } from '@zpub/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from './support/client';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

const FIXTURE = [
  '## 二级标题',
  '',
  '### 三级标题',
  '',
  '一段 **粗体** 与 *斜体*，还有 [一个链接](https://example.com/docs?a=1&b=2)。',
  '',
  '- 无序一',
  '- 无序二',
  '  - 嵌套',
  '',
  '1. 有序一',
  '2. 有序二',
  '',
  '> 引用的一段话',
  '',
  '```python',
  'def f(x):',
  '    return x < 3 and "ok"',
  '```',
  '',
  '质能方程 $E=mc^2$ 在行内。',
  '',
  '$$',
  '\\int_0^1 x^2\\,dx = \\frac{1}{3}',
  '$$',
  '',
  '| 名称 | 数量 |',
  '|------|-----:|',
  '| 苹果 | 3 |',
  '| 梨 | 5 |',
  '',
  '![示意图](https://picx.zhimg.com/v2-abc_r.jpg)',
  '',
  '最后一段。',
].join('\n');

const equation = (tex: string) => `https://www.zhihu.com/equation?tex=${encodeURIComponent(tex)}`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ampersands = (s: string) => s.replace(/&/g, '&amp;');

function expectEveryConstruct(html: string): void {
  expect(html).toContain('<h2>二级标题</h2>');
  expect(html).toContain('<h3>三级标题</h3>');
  expect(html).toContain('<strong>粗体</strong>');
  expect(html).toContain('<em>斜体</em>');
  expect(html).toContain(`<a href="${ampersands('https://example.com/docs?a=1&b=2')}">一个链接</a>`);
  expect(html).toMatch(/<ul>\s*<li>无序一<\/li>\s*<li>无序二\s*<ul>\s*<li>嵌套<\/li>\s*<\/ul>\s*<\/li>\s*<\/ul>/);
  expect(html).toMatch(/<ol>\s*<li>有序一<\/li>\s*<li>有序二<\/li>\s*<\/ol>/);
  expect(html).toMatch(/<blockquote>\s*<p>引用的一段话<\/p>\s*<\/blockquote>/);
  expect(html).toMatch(/<pre lang="python">def f\(x\):\n {4}return x &lt; 3 and (?:"ok"|&quot;ok&quot;)\n?<\/pre>/);
  // Inline formula inside its paragraph; block formula on its own, its TeX ending in \\.
  expect(html).toMatch(new RegExp(`<p>质能方程 <img [^>]*src="${escapeRe(equation('E=mc^2'))}"[^>]*> 在行内。</p>`));
  expect(html).toMatch(/<p>质能方程 <img [^>]*eeimg="1"/);
  expect(html).toMatch(new RegExp(`<p><img [^>]*src="${escapeRe(equation('\\int_0^1 x^2\\,dx = \\frac{1}{3}\\\\'))}"[^>]*eeimg="1"[^>]*></p>`));
  expect(html).toMatch(/<table>[\s\S]*<th>名称<\/th>[\s\S]*<th>数量<\/th>[\s\S]*<td>苹果<\/td>[\s\S]*<td>3<\/td>[\s\S]*<td>5<\/td>[\s\S]*<\/table>/);
  expect(html).toMatch(/<figure><img [^>]*src="https:\/\/picx\.zhimg\.com\/v2-abc_r\.jpg"[^>]*><figcaption>示意图<\/figcaption><\/figure>/);
  expect(html).not.toMatch(/<p>\s*<figure>/);
  expect(html).toContain('<p>最后一段。</p>');
}

describe('content', () => {
  it('round-trips every construct through the editor into the published article', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const title = `全部语法 ${Date.now()}`;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title, content: FIXTURE, topics: ['编程'] });
    await rec.until((es) => es.some((e: TaskEvent) => e.taskId === taskId && ['success', 'failed', 'unconfirmed'].includes(e.status)), 120_000, 'the task to end');
    rec.stop();
    const final = rec.of(taskId).at(-1);
    expect(final?.status).toBe('success');

    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    const stored = articles[0]?.html ?? '';
    expectEveryConstruct(stored);

    // The public page a reader opens carries the same article.
    const page = await (await fetch(final?.result?.url ?? '')).text();
    expect(page).toContain(title);
    expect(page).toContain('eeimg');
    expect(page).toContain('<figcaption>示意图</figcaption>');
  });
});
