import { describe, expect, it } from 'vitest';
import { hourlySeries } from './stats';

describe('hourly series', () => {
  it('fills the hours without tasks with zeros', () => {
    const now = Date.parse('2026-01-02T03:30:00.000Z');
    const [xs, created, success, failed] = hourlySeries(
      [
        { hour: '2026-01-02T00:00:00.000Z', created: 5, success: 1, failed: 0 },
        { hour: '2026-01-02T02:00:00.000Z', created: 0, success: 3, failed: 2 },
      ],
      '2026-01-01T22:00:00.000Z',
      now,
    );
    expect(xs.map((x) => new Date(x * 1000).toISOString().slice(11, 13))).toEqual(['22', '23', '00', '01', '02', '03']);
    expect(created).toEqual([0, 0, 5, 0, 0, 0]);
    expect(success).toEqual([0, 0, 1, 0, 3, 0]);
    expect(failed).toEqual([0, 0, 0, 0, 2, 0]);
  });
});
