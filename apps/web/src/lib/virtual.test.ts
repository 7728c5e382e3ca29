import { describe, expect, it } from 'vitest';
import { nearEnd, visibleRange } from './virtual';

describe('virtual scrolling', () => {
  it('renders only the rows on screen plus a margin, whatever the total', () => {
    expect(visibleRange(0, 560, 56, 5000, 5)).toEqual({ start: 0, end: 15 });
    const mid = visibleRange(56 * 2500, 560, 56, 5000, 5);
    expect(mid).toEqual({ start: 2495, end: 2515 });
    expect(mid.end - mid.start).toBeLessThan(40);
    expect(visibleRange(56 * 4999, 560, 56, 5000, 5)).toEqual({ start: 4994, end: 5000 });
  });

  it('handles an empty list and odd inputs', () => {
    expect(visibleRange(100, 500, 56, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 500, 56, 3)).toEqual({ start: 0, end: 3 });
  });

  it('asks for the next page near the end of what is loaded', () => {
    expect(nearEnd({ start: 50, end: 80 }, 100, 30)).toBe(true);
    expect(nearEnd({ start: 0, end: 20 }, 100, 30)).toBe(false);
  });
});
