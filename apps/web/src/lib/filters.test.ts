import { describe, expect, it } from 'vitest';
import { activeFilters, DEFAULT_FILTERS, filtersFromQuery, filtersToQuery, listInput, matchesFilters, type TaskFilters } from './filters';

const BATCH = 'b'.repeat(24);
const ACCOUNT = 'a'.repeat(24);

/** What the router does: drop undefined keys, keep strings. */
function asQuery(f: TaskFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filtersToQuery(f)).filter((e): e is [string, string] => e[1] !== undefined));
}

describe('filters <-> URL query', () => {
  it('round-trips every field', () => {
    const f: TaskFilters = {
      status: ['running', 'failed', 'unconfirmed'],
      batchId: BATCH,
      accountId: ACCOUNT,
      createdFrom: '2026-03-01',
      createdTo: '2026-03-31',
      sort: 'title',
      order: 'asc',
    };
    const q = asQuery(f);
    expect(q).toEqual({ status: 'running,failed,unconfirmed', batch: BATCH, account: ACCOUNT, from: '2026-03-01', to: '2026-03-31', sort: 'title', order: 'asc' });
    expect(filtersFromQuery(q)).toEqual(f);
    // And through a real URL.
    const url = new URL(`http://x/tasks?${new URLSearchParams(q).toString()}`);
    expect(filtersFromQuery(Object.fromEntries(url.searchParams))).toEqual(f);
  });

  it('leaves defaults out of the URL, and an empty query means the defaults', () => {
    expect(asQuery(DEFAULT_FILTERS)).toEqual({});
    expect(filtersFromQuery({})).toEqual(DEFAULT_FILTERS);
  });

  it('ignores what it does not understand instead of sending it to the server', () => {
    const f = filtersFromQuery({ status: 'running,bogus', batch: 'nope', account: '<script>', from: '2026-02-30', sort: 'evil', order: 'up' });
    expect(f).toEqual({ ...DEFAULT_FILTERS, status: ['running'] });
  });

  it('keeps statuses in one canonical order so equal filters give equal URLs', () => {
    expect(asQuery({ ...DEFAULT_FILTERS, status: ['failed', 'pending'] }).status).toBe('pending,failed');
  });

  it('builds the list input with the date range as local day boundaries with an offset', () => {
    const input = listInput({ ...DEFAULT_FILTERS, status: ['failed'], createdFrom: '2026-03-01', createdTo: '2026-03-02' }, 'CUR', 100);
    expect(input.status).toBe('failed');
    expect(input.cursor).toBe('CUR');
    expect(input.limit).toBe(100);
    expect(input.createdFrom).toMatch(/^2026-03-01T00:00:00\.000[+-]\d{2}:\d{2}$/);
    expect(input.createdTo).toMatch(/^2026-03-02T23:59:59\.999[+-]\d{2}:\d{2}$/);
    expect(listInput({ ...DEFAULT_FILTERS, status: ['failed', 'cancelled'] }, null, 50).status).toEqual(['failed', 'cancelled']);
  });

  it('matches rows the way the server filters them', () => {
    const row = { status: 'failed' as const, batchId: BATCH, accountId: ACCOUNT, createdAt: new Date(2026, 2, 1, 12).toISOString() };
    expect(matchesFilters(row, { ...DEFAULT_FILTERS, status: ['failed'], batchId: BATCH, createdFrom: '2026-03-01', createdTo: '2026-03-01' })).toBe(true);
    expect(matchesFilters(row, { ...DEFAULT_FILTERS, status: ['success'] })).toBe(false);
    expect(matchesFilters(row, { ...DEFAULT_FILTERS, createdFrom: '2026-03-02' })).toBe(false);
    expect(matchesFilters({ ...row, batchId: undefined }, { ...DEFAULT_FILTERS, batchId: BATCH })).toBe(false);
  });
});

describe('active filters', () => {
  it('counts each filter that narrows the list once, and never the sort', () => {
    expect(activeFilters(DEFAULT_FILTERS)).toBe(0);
    expect(activeFilters({ ...DEFAULT_FILTERS, sort: 'title', order: 'asc' })).toBe(0);
    expect(activeFilters({ ...DEFAULT_FILTERS, status: ['failed', 'cancelled'] })).toBe(1);
    expect(activeFilters({ ...DEFAULT_FILTERS, status: ['failed'], accountId: ACCOUNT, batchId: BATCH, createdFrom: '2026-03-01', createdTo: '2026-03-02' })).toBe(5);
  });
});
