import { describe, expect, it } from 'vitest';
import { checkArticle } from './api';
import { articleFromFrontMatter, articleIdOfLink, frontMatterProblemText, scheduleOf, splitDocument, takeTitle, type FrontValue } from './document';

const fm = (o: Record<string, FrontValue>) => new Map(Object.entries(o));

describe('splitting a file', () => {
  it('separates the front matter, keeps the line ending, and reads a file without one as all body', () => {
    expect(splitDocument('---\ntitle: 甲\n---\n正文\n')).toEqual({ frontMatter: 'title: 甲', body: '正文\n', eol: '\n' });
    expect(splitDocument('---\r\na: 1\r\n---\r\nbody')).toEqual({ frontMatter: 'a: 1', body: 'body', eol: '\r\n' });
    expect(splitDocument('# 标题\n正文')).toEqual({ frontMatter: null, body: '# 标题\n正文', eol: '\n' });
  });

  it('names a front matter that never closes', () => {
    expect(splitDocument('---\ntitle: x\n\n# 标题\n')).toEqual({ error: expect.stringContaining('never closed') });
  });

  it('takes the first # heading outside code fences as the title', () => {
    expect(takeTitle('\n```\n# not this\n```\n# 真标题\n\n正文\n')).toEqual({ title: '真标题', body: '```\n# not this\n```\n\n正文' });
    expect(takeTitle('## 二级\n正文')).toEqual({ title: null, body: '## 二级\n正文' });
  });
});

describe('front matter keys', () => {
  it('maps every article key, Zhihu names included, and reads the article id from zhihu-link', () => {
    const { fields, problems } = articleFromFrontMatter(
      fm({
        title: '标题',
        tags: '甲, 乙，丙',
        column: 'https://zhuanlan.zhihu.com/c_123',
        cover: 'https://example.com/a.png',
        '创作声明': '包含 AI 辅助创作',
        comment: '关闭评论',
        schedule: '2026-12-01T09:00:00+08:00',
        priority: 'High',
        'zhihu-link': 'https://zhuanlan.zhihu.com/p/1234567890123456789',
        date: '2020-01-01',
      }),
    );
    expect(problems).toEqual([]);
    expect(fields).toEqual({
      title: '标题',
      topics: ['甲', '乙', '丙'],
      column: 'c_123',
      cover: 'https://example.com/a.png',
      statement: 'ai_creation',
      commentPermission: 'nobody',
      scheduledAt: '2026-12-01T09:00:00+08:00',
      priority: 'high',
      articleId: '1234567890123456789',
    });
  });

  it('leaves unknown values for checkArticle to refuse with their own codes', () => {
    const { fields } = articleFromFrontMatter(fm({ statement: '随便', 'zhihu-id': '12345', priority: 'urgent' }));
    expect(checkArticle({ title: 't', content: 'c', statement: fields.statement })).toMatchObject({ ok: false, code: 'INVALID_OPTION' });
    expect(checkArticle({ title: 't', content: 'c', articleId: fields.articleId })).toMatchObject({ ok: false, code: 'INVALID_ARTICLE_ID' });
    expect(checkArticle({ title: 't', content: 'c', priority: fields.priority })).toMatchObject({ ok: false, code: 'INVALID_PRIORITY' });
  });

  it('names a list where one value belongs, and a link that is not an article', () => {
    expect(articleFromFrontMatter(fm({ title: ['a', 'b'] })).problems.map(frontMatterProblemText)).toEqual(['title: expected one value, got a list']);
    expect(articleFromFrontMatter(fm({ 'zhihu-link': 'https://www.zhihu.com/people/x' })).problems).toEqual([{ key: 'zhihu-link', kind: 'notArticleLink', value: 'https://www.zhihu.com/people/x' }]);
    expect(frontMatterProblemText({ key: 'zhihu-link', kind: 'notArticleLink', value: 'x' })).toMatch(/not an article address/);
  });

  it('reads draft: true (or 是) as a draft, false as publish, and names anything else', () => {
    expect(articleFromFrontMatter(fm({ draft: 'true' })).fields.mode).toBe('draft');
    expect(articleFromFrontMatter(fm({ '草稿': '是' })).fields.mode).toBe('draft');
    expect(articleFromFrontMatter(fm({ draft: 'false' })).fields.mode).toBe('publish');
    expect(articleFromFrontMatter(fm({ draft: 'maybe' })).problems.map(frontMatterProblemText)).toEqual(['draft: expected true or false, got "maybe"']);
  });

  it('reads a schedule without an offset as local time', () => {
    expect(Date.parse(scheduleOf('2026-12-01 09:00'))).toBe(new Date(2026, 11, 1, 9, 0).getTime());
    expect(scheduleOf('tomorrow')).toBe('tomorrow');
    expect(articleIdOfLink('http://127.0.0.1:3100/p/123456789012345')).toBe('123456789012345');
  });
});

describe('update in place and draft only', () => {
  it('accepts an article id of 15-20 digits and the two modes, and leaves mode out when absent', () => {
    expect(checkArticle({ title: 't', content: 'c', articleId: '123456789012345', mode: 'draft' })).toMatchObject({ ok: true, article: { articleId: '123456789012345', mode: 'draft' } });
    const plain = checkArticle({ title: 't', content: 'c' });
    expect(plain.ok && 'mode' in plain.article).toBe(false);
  });

  it('refuses bad values with their own codes', () => {
    for (const articleId of ['12345678901234', '123456789012345678901', 'p/123456789012345', 123456789012345]) {
      expect(checkArticle({ title: 't', content: 'c', articleId })).toMatchObject({ ok: false, code: 'INVALID_ARTICLE_ID', message: expect.stringMatching(/^articleId: /) });
    }
    expect(checkArticle({ title: 't', content: 'c', mode: 'later' })).toMatchObject({ ok: false, code: 'INVALID_MODE' });
  });
});
