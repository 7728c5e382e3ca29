import { describe, expect, it } from 'vitest';
import { kindOf, updateSourceOf } from './article-update';
import { optionsInput } from './zhihu-options-form';
import { view } from './test-fixtures';

const done = (over: Parameters<typeof view>[1] = {}) => ({
  ...view(1, { status: 'success', stage: 'verified', topics: ['编程'], result: { url: 'https://zhuanlan.zhihu.com/p/1234567890123456789', articleId: '1234567890123456789' }, ...over }),
  content: '# 正文',
  events: [],
});

describe('更新文章', () => {
  it('starts from the succeeded task: its article, account, text, topics and settings', () => {
    expect(updateSourceOf({ ...done(), statement: 'spoiler', column: 'c_1' })).toEqual({
      accountId: done().accountId,
      articleId: '1234567890123456789',
      title: 'Article 1',
      content: '# 正文',
      topics: ['编程'],
      options: { column: 'c_1', cover: '', statement: 'spoiler', commentPermission: 'anyone' },
      draft: false,
    });
    // An update of an update edits the same article; a draft stays a draft unless the person unticks it.
    expect(updateSourceOf({ ...done({ articleId: '9999999999999999999', mode: 'draft', stage: 'drafted' }) })).toMatchObject({ articleId: '9999999999999999999', draft: true });
  });

  it('is not offered for a task that did not end with an article', () => {
    expect(updateSourceOf(done({ status: 'failed', result: undefined }))).toBeNull();
    expect(updateSourceOf(done({ status: 'unconfirmed' }))).toBeNull();
  });

  it('sends the statement and comment permission of an update even at their defaults', () => {
    const form = { column: '', cover: '', statement: 'none' as const, commentPermission: 'anyone' as const };
    expect(optionsInput(form)).toEqual({});
    expect(optionsInput(form, true)).toEqual({ statement: 'none', commentPermission: 'anyone' });
  });
});

describe('what a row is', () => {
  it('is a draft or an update by its mode, its article, or the stage it ended in', () => {
    expect(kindOf(view(1))).toBe('publish');
    expect(kindOf(view(1, { mode: 'draft' }))).toBe('draft');
    expect(kindOf(view(1, { stage: 'drafted' }))).toBe('draft');
    expect(kindOf(view(1, { articleId: '1234567890123456789' }))).toBe('update');
    expect(kindOf(view(1, { stage: 'updated' }))).toBe('update');
    expect(kindOf(view(1, { articleId: '1234567890123456789', mode: 'draft' }))).toBe('draft');
  });
});
