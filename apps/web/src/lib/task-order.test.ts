import type { TaskView } from '@zpub/shared';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, type TaskFilters } from './filters';
import { appendPage, couldShow, placeRow, type ListWindow } from './task-order';
import { created, event, id, view } from './test-fixtures';

function rows(...list: TaskView[]) {
  const map = new Map(list.map((r) => [r.id, r]));
  return { map, rowOf: (x: string) => map.get(x) };
}

describe('list window', () => {
  it('puts a task created elsewhere at the top of the newest-first list and counts it', () => {
    const { map, rowOf } = rows(view(3), view(2), view(1));
    const win: ListWindow = { ids: [id(3), id(2), id(1)], total: 3, complete: true };
    const row = view(9);
    map.set(row.id, row);
    const next = placeRow(win, { row, before: undefined, event: created(9) }, rowOf, DEFAULT_FILTERS);
    expect(next.ids).toEqual([id(9), id(3), id(2), id(1)]);
    expect(next.total).toBe(4);
  });

  it('drops a row that leaves a status filter and takes in one that enters it', () => {
    const f: TaskFilters = { ...DEFAULT_FILTERS, status: ['running'] };
    const a = view(1, { status: 'running', stage: 'browser', v: 2 });
    const b = view(2, { status: 'running', stage: 'browser', v: 2 });
    const { map, rowOf } = rows(a, b);
    let win: ListWindow = { ids: [id(2), id(1)], total: 2, complete: true };
    const aDone = { ...a, status: 'success' as const, stage: 'verified' as const, v: 3 };
    map.set(a.id, aDone);
    win = placeRow(win, { row: aDone, before: a, event: event(1, 3, { status: 'success', stage: 'verified' }) }, rowOf, f);
    expect(win).toEqual({ ids: [id(2)], total: 1, complete: true });
    const c = view(3, { status: 'running', stage: 'browser', v: 2 });
    map.set(c.id, c);
    win = placeRow(win, { row: c, before: view(3, { status: 'queued', stage: 'queued', v: 1 }), event: event(3, 2) }, rowOf, f);
    expect(win).toEqual({ ids: [id(3), id(2)], total: 2, complete: true });
  });

  it('takes a removed task out of the list and the count, and ignores one it never counted', () => {
    const f: TaskFilters = { ...DEFAULT_FILTERS, status: ['failed'] };
    const a = view(1, { status: 'failed', stage: 'failed', v: 4 });
    const b = view(2, { status: 'failed', stage: 'failed', v: 4 });
    const { rowOf } = rows(b);
    let win: ListWindow = { ids: [id(2), id(1)], total: 7, complete: false };
    const gone = { ...a, stage: 'removed' as const, v: 5 };
    win = placeRow(win, { row: gone, before: a, event: event(1, 5, { status: 'failed', stage: 'removed', removed: true }), removed: true }, rowOf, f);
    expect(win).toEqual({ ids: [id(2)], total: 6, complete: false });
    const other = view(3, { status: 'cancelled', stage: 'cancelled', v: 3 });
    const same = placeRow(win, { row: { ...other, stage: 'removed', v: 4 }, before: other, event: event(3, 4, { status: 'cancelled', stage: 'removed', removed: true }), removed: true }, rowOf, f);
    expect(same).toEqual({ ids: [id(2)], total: 6, complete: false });
  });

  it('leaves rows past the loaded pages to the next page', () => {
    const f: TaskFilters = { ...DEFAULT_FILTERS, status: ['failed'] };
    const { map, rowOf } = rows(view(10, { status: 'failed' }), view(9, { status: 'failed' }));
    const win: ListWindow = { ids: [id(10), id(9)], total: 50, complete: false };
    const old = view(2, { status: 'failed', stage: 'failed', v: 4 });
    map.set(old.id, old);
    const next = placeRow(win, { row: old, before: view(2, { status: 'running', v: 3 }), event: event(2, 4, { status: 'failed', stage: 'failed' }) }, rowOf, f);
    expect(next.ids).toEqual([id(10), id(9)]);
    expect(next.total).toBe(51);
  });

  it('moves a row to the top when sorting by last update', () => {
    const f: TaskFilters = { ...DEFAULT_FILTERS, sort: 'updatedAt' };
    const a = view(1, { updatedAt: '2026-01-01T00:00:03.000Z' });
    const b = view(2, { updatedAt: '2026-01-01T00:00:02.000Z' });
    const c = view(3, { updatedAt: '2026-01-01T00:00:01.000Z' });
    const { map, rowOf } = rows(a, b, c);
    const win: ListWindow = { ids: [id(1), id(2), id(3)], total: 3, complete: true };
    const cNow = { ...c, v: 1, updatedAt: '2026-01-01T00:00:09.000Z' };
    map.set(c.id, cNow);
    expect(placeRow(win, { row: cNow, before: c, event: event(3, 1) }, rowOf, f).ids).toEqual([id(3), id(1), id(2)]);
  });

  it('does not repeat rows a later page brings again', () => {
    const win = appendPage({ ids: [id(5), id(4)], total: 10, complete: false }, [id(4), id(3)], 10, false);
    expect(win.ids).toEqual([id(5), id(4), id(3)]);
  });

  it('asks for unknown tasks only when they could appear in the list', () => {
    const running = event(1, 3, { status: 'running', stage: 'browser' });
    const progress = event(1, 4, { status: 'running', stage: 'editor' });
    expect(couldShow(running, DEFAULT_FILTERS, false)).toBe(false);
    expect(couldShow(running, { ...DEFAULT_FILTERS, status: ['running'] }, false)).toBe(true);
    expect(couldShow(progress, { ...DEFAULT_FILTERS, status: ['running'] }, false)).toBe(false);
    expect(couldShow(running, { ...DEFAULT_FILTERS, status: ['failed'] }, false)).toBe(false);
    expect(couldShow(progress, { ...DEFAULT_FILTERS, sort: 'updatedAt' }, false)).toBe(true);
    expect(couldShow(progress, { ...DEFAULT_FILTERS, sort: 'updatedAt', order: 'asc' }, false)).toBe(false);
  });
});
