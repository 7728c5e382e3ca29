import type { ArticleInput } from '@zpub/shared';
import { describe, expect, it } from 'vitest';
import { ArticleChecks, columnProblem } from './article-checks';

const COLUMNS = [
  { id: 'c_1001', title: '前端笔记' },
  { id: 'c_1002', title: '读书' },
];

describe('columnProblem', () => {
  it('accepts a known column, and any column while the account has not been checked', () => {
    expect(columnProblem('c_1001', COLUMNS)).toBeNull();
    expect(columnProblem('c_anything', undefined)).toBeNull();
  });

  it('names the known columns when the column is not one of them', () => {
    const p = columnProblem('c_9', COLUMNS);
    expect(p).toMatchObject({ code: 'INVALID_COLUMN', field: 'column' });
    expect(p?.message).toContain('"c_9" is not one of this account\'s columns: c_1001 (前端笔记), c_1002 (读书)');
  });

  it('says so when the account has no column at all', () => {
    expect(columnProblem('c_1', [])?.message).toMatch(/has no columns/);
  });
});

describe('ArticleChecks', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const article = (extra: Partial<ArticleInput>): ArticleInput => ({ title: 't', content: 'body', topics: [], priority: 'normal', ...extra });

  function checks(owned: string[], columns = COLUMNS) {
    const lookups = { columns: 0, assets: [] as string[] };
    const c = new ArticleChecks(
      {
        columnsOf: () => {
          lookups.columns++;
          return Promise.resolve(columns);
        },
      },
      {
        owns: (_user, sha) => {
          lookups.assets.push(sha);
          return Promise.resolve(owned.includes(sha));
        },
      },
    );
    return { check: c.forSubmission('u1', 'acc1'), lookups };
  }

  it('refuses a cover or body image the user never uploaded, naming it', async () => {
    const { check } = checks([a]);
    expect(await check(article({ cover: `/assets/${b}` }))).toMatchObject({ code: 'UNKNOWN_IMAGE', field: 'cover', message: expect.stringContaining(`/assets/${b}`) });
    expect(await check(article({ content: `![](/assets/${a}) ![](/assets/${b})` }))).toMatchObject({
      code: 'UNKNOWN_IMAGE',
      field: 'content',
      message: expect.stringMatching(new RegExp(`never uploaded: /assets/${b};`)),
    });
    expect(await check(article({ content: `![](/assets/${a})`, cover: `/assets/${a}`, column: 'c_1002' }))).toBeNull();
  });

  it('looks up the columns and each image once per submission', async () => {
    const { check, lookups } = checks([a]);
    for (let i = 0; i < 5; i++) await check(article({ column: 'c_1001', content: `![](/assets/${a})`, cover: `/assets/${a}` }));
    expect(lookups).toEqual({ columns: 1, assets: [a] });
  });

  it('does not look anything up for an article without options or images', async () => {
    const { check, lookups } = checks([]);
    expect(await check(article({ content: 'https://example.com/x.png' }))).toBeNull();
    expect(lookups).toEqual({ columns: 0, assets: [] });
  });
});
