import { describe, expect, it } from 'vitest';
import { checkDraft, parseDocument, splitDocuments } from './batch';

describe('batch: one file', () => {
  it('takes the first "# " heading as the title and the rest as the body', () => {
    const d = parseDocument('# 我的标题\n\n第一段\n\n## 小节\n内容\n', 'a.md');
    expect(d).toEqual({ source: 'a.md', title: '我的标题', content: '第一段\n\n## 小节\n内容', topics: [] });
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
    expect(d).toEqual({ source: 'd.md', title: 'Title', content: 'Text', topics: ['前端', 'TypeScript'] });
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
