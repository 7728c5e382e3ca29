import { describe, expect, it } from 'vitest';
import { checkArticle, createTaskInput, listTasksInput } from './api';

const id = 'a'.repeat(24);

describe('article validation', () => {
  it('accepts a good article and fills defaults', () => {
    expect(checkArticle({ title: ' 标题 ', content: 'body' })).toEqual({
      ok: true,
      article: { title: '标题', content: 'body', topics: [], priority: 'normal' },
    });
  });

  it('counts characters, not bytes, against the 100-character title limit', () => {
    expect(checkArticle({ title: '字'.repeat(100), content: 'x' }).ok).toBe(true);
    expect(checkArticle({ title: '字'.repeat(101), content: 'x' })).toMatchObject({ ok: false, code: 'TITLE_TOO_LONG' });
  });

  it('gives each refusal its own code and a message naming the field', () => {
    expect(checkArticle({ title: '', content: 'x' })).toMatchObject({ ok: false, code: 'TITLE_REQUIRED', message: 'title: Title is empty' });
    expect(checkArticle({ title: 't', content: '  ' })).toMatchObject({ ok: false, code: 'CONTENT_REQUIRED' });
    expect(checkArticle({ title: 't', content: 'x'.repeat(1_000_001) })).toMatchObject({ ok: false, code: 'CONTENT_TOO_LARGE' });
    expect(checkArticle({ title: 't', content: 'x', topics: ['a', 'b', 'c', 'd'] })).toMatchObject({ ok: false, code: 'TOO_MANY_TOPICS' });
    expect(checkArticle({ title: 't', content: 'x', scheduledAt: 'tomorrow' })).toMatchObject({ ok: false, code: 'INVALID_SCHEDULE' });
    expect(checkArticle({ title: 't', content: 'x', color: 'red' })).toMatchObject({ ok: false, code: 'INVALID_ARTICLE' });
    expect(checkArticle(null)).toMatchObject({ ok: false, code: 'INVALID_ARTICLE' });
  });

  it('refuses unknown fields and malformed ids in task.create', () => {
    expect(createTaskInput.safeParse({ accountId: id, title: 't', content: 'x' }).success).toBe(true);
    expect(createTaskInput.safeParse({ accountId: 'nope', title: 't', content: 'x' }).success).toBe(false);
    expect(createTaskInput.safeParse({ accountId: id, title: 't', content: 'x', userId: id }).success).toBe(false);
  });

  it('bounds the page size', () => {
    expect(listTasksInput.safeParse({ limit: 100 }).success).toBe(true);
    expect(listTasksInput.safeParse({ limit: 101 }).success).toBe(false);
  });
});
