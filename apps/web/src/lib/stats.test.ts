import { afterEach, describe, expect, it } from 'vitest';
import { bucketStart, throughputSeries } from './stats';

const zone = process.env.TZ;
afterEach(() => {
  // Node reads TZ again whenever it is set: each test picks the time zone it is about.
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const hour = (at: string, created: number, success = 0, failed = 0) => ({ hour: at, created, success, failed });

describe('throughput over a day: one point per hour', () => {
  it('fills the hours without tasks with zeros, up to the current hour', () => {
    process.env.TZ = 'UTC';
    const s = throughputSeries([hour('2026-01-02T00:00:00.000Z', 5, 1), hour('2026-01-02T02:00:00.000Z', 0, 3, 2)], '2026-01-01T22:10:00.000Z', '24h', Date.parse('2026-01-02T03:30:00.000Z'));
    expect(s.bucket).toBe('hour');
    expect(s.xs.map(iso)).toEqual(['22', '23', '00', '01', '02', '03'].map((h, i) => `2026-01-0${i < 2 ? 1 : 2}T${h}:00:00.000Z`));
    expect(s.created).toEqual([0, 0, 5, 0, 0, 0]);
    expect(s.success).toEqual([0, 0, 1, 0, 3, 0]);
    expect(s.failed).toEqual([0, 0, 0, 0, 2, 0]);
  });
});

describe('throughput over a week or a month: one point per local day', () => {
  it('splits days at midnight where the person is, not at midnight UTC', () => {
    process.env.TZ = 'Asia/Shanghai';
    // 15:00 UTC is 23:00 in Beijing; 16:00 UTC is midnight, the next day.
    const s = throughputSeries(
      [hour('2026-03-01T15:00:00.000Z', 2, 1), hour('2026-03-01T16:00:00.000Z', 3, 0, 1), hour('2026-03-02T15:00:00.000Z', 4)],
      '2026-02-24T10:00:00.000Z',
      '7d',
      Date.parse('2026-03-03T02:00:00.000Z'),
    );
    expect(s.bucket).toBe('day');
    // Bucket starts are Beijing midnights (16:00 UTC the day before), 24 February to 3 March.
    expect(s.xs.map(iso)).toEqual(['02-23', '02-24', '02-25', '02-26', '02-27', '02-28', '03-01', '03-02'].map((d) => `2026-${d}T16:00:00.000Z`));
    expect(s.created).toEqual([0, 0, 0, 0, 0, 2, 7, 0]);
    expect(s.success).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(s.failed).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('keeps a day a day across a clock change (23 hours in spring)', () => {
    process.env.TZ = 'America/New_York';
    // 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. Midnight EST is 05:00 UTC; the day
    // ends at midnight EDT, 04:00 UTC on the 9th.
    const s = throughputSeries(
      [hour('2026-03-08T05:00:00.000Z', 1), hour('2026-03-09T03:00:00.000Z', 1), hour('2026-03-09T04:00:00.000Z', 1)],
      '2026-03-07T12:00:00.000Z',
      '7d',
      Date.parse('2026-03-09T12:00:00.000Z'),
    );
    expect(s.xs.map(iso)).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(s.created).toEqual([0, 2, 1]);
  });

  it('leaves out hours before the range and counts every task inside it once', () => {
    process.env.TZ = 'Europe/Berlin';
    const perHour = [hour('2026-05-01T08:00:00.000Z', 9), hour('2026-05-20T08:00:00.000Z', 1), hour('2026-05-20T09:00:00.000Z', 2), hour('2026-05-30T21:00:00.000Z', 4)];
    const s = throughputSeries(perHour, '2026-05-01T10:00:00.000Z', '30d', Date.parse('2026-05-31T10:00:00.000Z'));
    expect(s.xs).toHaveLength(31);
    // 21:00 UTC on 30 May is 23:00 in Berlin: still the 30th.
    expect(s.created.reduce((a, b) => a + b, 0)).toBe(9 + 1 + 2 + 4);
    expect(s.created.at(-2)).toBe(4);
  });
});

describe('throughput over a year', () => {
  it('starts the day before the first data, and shows at least a week', () => {
    process.env.TZ = 'UTC';
    const now = Date.parse('2026-06-30T12:00:00.000Z');
    const early = throughputSeries([hour('2026-06-01T08:00:00.000Z', 1)], '2025-06-30T12:00:00.000Z', '365d', now);
    expect(iso(early.xs[0] ?? 0)).toBe('2026-05-31T00:00:00.000Z');
    expect(early.xs).toHaveLength(31);
    const recent = throughputSeries([hour('2026-06-30T08:00:00.000Z', 1)], '2025-06-30T12:00:00.000Z', '365d', now);
    expect(recent.xs).toHaveLength(7);
    expect(recent.created.at(-1)).toBe(1);
  });
});

describe('bucket starts', () => {
  it('are whole hours, or local midnights', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(new Date(bucketStart(Date.parse('2026-01-01T10:45:00.000Z'), 'hour')).toISOString()).toBe('2026-01-01T10:00:00.000Z');
    // Midnight in India is 18:30 UTC the day before.
    expect(new Date(bucketStart(Date.parse('2026-01-01T10:45:00.000Z'), 'day')).toISOString()).toBe('2025-12-31T18:30:00.000Z');
  });
});
