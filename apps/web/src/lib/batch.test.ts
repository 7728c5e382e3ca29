import { describe, expect, it } from 'vitest';
import { checkDraft, parseDocument, splitDocuments } from './batch';
import { readFrontMatter } from './front-matter';

describe('batch: one file', () => {
  it('takes the first "# " heading as the title and the rest as the body', () => {
    const d = parseDocument('# 我的标题\n\n第一段\n\n## 小节\n内容\n', 'a.md');
    expect(d).toEqual({ source: 'a.md', title: '我的标题', content: '第一段\n\n## 小节\n内容', topics: [], options: {} });
  });

  it('has no title without a heading, and such a draft is refused', () => {
    const d = parseDocument('只有正文\n## 二级标题不算\n', 'b.md');
    expect(d.title).toBeNull();
    expect(checkDraft(d, { priority: 'normal' })).toMatchObject({ ok: false, code: 'TITLE_REQUIRED' });
  });

  it('ignores "# " lines inside code fences', () => {
    const d = parseDocument('```bash\n# install\nnpm i\n```\n# Real title\nbody', 'c.md');
    expect(d.title).toBe('Real title');
    expect(d.content).toBe('```bash\n# install\nnpm i\n```\nbody');
  });

  it('handles CRLF, a BOM, closing hashes and front matter with topics', () => {
    const d = parseDocument('\uFEFF---\r\ntopics: [前端, "TypeScript"]\r\n---\r\n# Title ##\r\nText\r\n', 'd.md');
    expect(d).toEqual({ source: 'd.md', title: 'Title', content: 'Text', topics: ['前端', 'TypeScript'], options: {} });
    const list = parseDocument('---\ntags:\n  - a\n  - b\n---\n# T\nx', 'e.md');
    expect(list.topics).toEqual(['a', 'b']);
  });

  it('validates with the shared rules: title length, empty body, topics', () => {
    expect(checkDraft(parseDocument(`# ${'长'.repeat(101)}\nbody`, 'f.md'), { priority: 'normal' })).toMatchObject({ ok: false, code: 'TITLE_TOO_LONG' });
    expect(checkDraft(parseDocument('# Title only\n\n', 'g.md'), { priority: 'normal' })).toMatchObject({ ok: false, code: 'CONTENT_REQUIRED' });
    const many = parseDocument('---\ntopics: a, b, c, d\n---\n# T\nbody', 'h.md');
    expect(checkDraft(many, { priority: 'normal' })).toMatchObject({ ok: false, code: 'TOO_MANY_TOPICS' });
    const ok = checkDraft(parseDocument('# T\nbody', 'i.md'), { priority: 'high', scheduledAt: '2099-01-01T00:00:00Z' });
    expect(ok.ok).toBe(false); // more than a year ahead
    const fine = checkDraft(parseDocument('# T\nbody', 'i.md'), { priority: 'high' });
    expect(fine).toEqual({ ok: true, article: { title: 'T', content: 'body', topics: [], priority: 'high' } });
  });
});

describe('batch: pasted text with several documents', () => {
  it('splits before each top-level "# " heading', () => {
    const docs = splitDocuments('# One\nbody 1\n\n# Two\nbody 2\n```\n# not a title\n```\n');
    expect(docs).toHaveLength(2);
    expect(parseDocument(docs[0] ?? '', 'p1')).toMatchObject({ title: 'One', content: 'body 1' });
    expect(parseDocument(docs[1] ?? '', 'p2')).toMatchObject({ title: 'Two', content: 'body 2\n```\n# not a title\n```' });
  });

  it('keeps text before the first heading as its own (titleless, refused) document', () => {
    const docs = splitDocuments('stray words\n# One\nbody');
    expect(docs).toHaveLength(2);
    expect(parseDocument(docs[0] ?? '', 'p1').title).toBeNull();
  });

  it('finds nothing in blank text', () => {
    expect(splitDocuments('  \n\n')).toEqual([]);
  });
});

describe('batch: Zhihu settings in the front matter', () => {
  const columns = [
    { id: 'c_1001', title: '前端笔记' },
    { id: 'c_1002', title: '读书' },
  ];

  it('reads column, cover, statement and comment permission, by wire value or by Zhihu’s names', () => {
    const d = parseDocument('---\ncolumn: c_1001\ncover: "https://e.com/c.png"\nstatement: 虚构创作\ncomment: 关闭评论\n---\n# T\nbody', 'a.md');
    expect(d.options).toEqual({ column: 'c_1001', cover: 'https://e.com/c.png', statement: 'fictional_creation', commentPermission: 'nobody' });
    const wire = parseDocument('---\nstatement: ai_creation\ncommentPermission: censor\n---\n# T\nbody', 'b.md');
    expect(wire.options).toEqual({ statement: 'ai_creation', commentPermission: 'censor' });
  });

  it('accepts the spellings of zhihu_obsidian and of Zhihu’s editor', () => {
    const names: [string, string][] = [
      ['包含 AI 辅助创作', 'ai_creation'],
      ['包含AI辅助创作', 'ai_creation'],
      ['包含ai辅助创作', 'ai_creation'],
      ['内容包含剧透', 'spoiler'],
      ['包含医疗建议', 'medical_advice'],
      ['包含理财内容', 'contain_finance'],
      ['无声明', 'none'],
    ];
    for (const [name, value] of names) {
      expect(parseDocument(`---\nzhihu-disclaimer: ${name}\n---\n# T\nx`, 'c.md').options.statement, name).toBe(value);
    }
    const comments: [string, string][] = [
      ['所有人可评论', 'anyone'],
      ['仅关注的人可评论', 'followee'],
      ['评论需审核', 'censor'],
      ['关闭评论', 'nobody'],
      ['false', 'nobody'],
    ];
    for (const [name, value] of comments) {
      expect(parseDocument(`---\ncomment_permission: ${name}\n---\n# T\nx`, 'c.md').options.commentPermission, name).toBe(value);
    }
  });

  it('takes a column by id, address or (when the account’s columns are known) title', () => {
    const check = (column: string) => checkDraft(parseDocument(`---\ncolumn: ${column}\n---\n# T\nx`, 'd.md'), { priority: 'normal', columns });
    expect(check('读书')).toMatchObject({ ok: true, article: { column: 'c_1002' } });
    expect(check('https://zhuanlan.zhihu.com/c_1001')).toMatchObject({ ok: true, article: { column: 'c_1001' } });
    expect(check('c_9')).toMatchObject({ ok: false, code: 'INVALID_COLUMN', detail: 'c_9 → 前端笔记 (c_1001), 读书 (c_1002)' });
    const unknownColumns = checkDraft(parseDocument('---\ncolumn: c_9\n---\n# T\nx', 'd.md'), { priority: 'normal' });
    expect(unknownColumns).toMatchObject({ ok: true, article: { column: 'c_9' } });
  });

  it('refuses an unknown statement or permission, naming the value written', () => {
    const bad = checkDraft(parseDocument('---\nstatement: 原创\n---\n# T\nx', 'e.md'), { priority: 'normal' });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_OPTION', detail: '原创' });
    const comment = checkDraft(parseDocument('---\ncomment: 好友\n---\n# T\nx', 'e.md'), { priority: 'normal' });
    expect(comment).toMatchObject({ ok: false, code: 'INVALID_OPTION', detail: '好友' });
  });

  it('leaves a cover given as a path in the folder to the image upload', () => {
    const d = parseDocument('---\ncover: img/cover.png\n---\n# T\nx', 'f.md');
    expect(d.options.cover).toBe('img/cover.png');
    const check = checkDraft(d, { priority: 'normal' });
    expect(check.ok).toBe(true);
    expect(check.ok && check.article.cover).toBeUndefined();
    expect(checkDraft(parseDocument('---\ncover: ftp://e.com/x.png\n---\n# T\nx', 'g.md'), { priority: 'normal' })).toMatchObject({ ok: false, code: 'INVALID_COVER' });
  });
});

describe('readFrontMatter', () => {
  it('reads scalars, quoted values, comments and both kinds of list', () => {
    const { rest, fields } = readFrontMatter(['---', 'Title: "a: b"', 'cover: img/a.png # the red one', 'tags: [x, "y"]', 'topics:', '  - 甲', '  - 乙', 'empty:', '---', 'body']);
    expect(rest).toEqual(['body']);
    expect(Object.fromEntries(fields)).toEqual({ title: 'a: b', cover: 'img/a.png', tags: ['x', 'y'], topics: ['甲', '乙'], empty: [] });
  });

  it('has no fields without a closed block at the very top', () => {
    expect(readFrontMatter(['# T', '---', 'a: b', '---']).fields.size).toBe(0);
    expect(readFrontMatter(['---', 'a: b']).fields.size).toBe(0);
  });
});
