import { afterEach, describe, expect, it } from 'vitest';
import { axisTicks, type TickLayout } from './chart-ticks';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const HOUR = 3600;
const DAY = 24 * HOUR;

/** `count` buckets from `start` spread over `px` pixels, each label `labelPx` wide. */
function layout(start: number, step: number, count: number, px: number, labelPx: number | ((x: number) => number), over: Partial<TickLayout> = {}): TickLayout {
  const xs = Array.from({ length: count }, (_, i) => start + i * step);
  const last = xs.at(-1) ?? start;
  return {
    xs,
    bucket: step === HOUR ? 'hour' : 'day',
    pos: (x) => (count > 1 ? ((x - start) / (last - start)) * px : 0),
    width: typeof labelPx === 'number' ? () => labelPx : labelPx,
    min: -20,
    max: px + 20,
    ...over,
  };
}

/** Labels that overlap or come closer than `gap`, as pairs of x values. */
function crowded(l: TickLayout, ticks: number[], gap = 8): [number, number][] {
  const out: [number, number][] = [];
  ticks.forEach((a, i) => {
    const b = ticks[i + 1];
    if (b !== undefined && l.pos(a) + l.width(a) / 2 + gap > l.pos(b) - l.width(b) / 2) out.push([a, b]);
  });
  return out;
}

describe('time axis labels', () => {
  it('label every hour of a day when there is room', () => {
    process.env.TZ = 'UTC';
    const l = layout(Date.parse('2026-01-01T00:00:00Z') / 1000, HOUR, 25, 1200, 36);
    expect(axisTicks(l)).toHaveLength(25);
  });

  it('thin a day of hours on a phone to round hours that do not touch', () => {
    process.env.TZ = 'Asia/Shanghai';
    // 09:00 Beijing onwards, 25 hours on 300 px: 12.5 px an hour, labels 36 px wide.
    const l = layout(Date.parse('2026-01-01T01:00:00Z') / 1000, HOUR, 25, 300, 36);
    const ticks = axisTicks(l);
    expect(crowded(l, ticks)).toEqual([]);
    // Every 4 hours on the clock (3 would be 37.5 px, less than a label and its gap).
    const hours = ticks.map((x) => new Date(x * 1000).getHours());
    expect(hours.every((h) => h % 4 === 0)).toBe(true);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
  });

  it('thin a month of days to every few days, always keeping the newest day', () => {
    process.env.TZ = 'UTC';
    const start = Date.parse('2026-05-01T00:00:00Z') / 1000;
    const l = layout(start, DAY, 31, 300, 30);
    const ticks = axisTicks(l);
    expect(crowded(l, ticks)).toEqual([]);
    expect(ticks.at(-1)).toBe(start + 30 * DAY);
    // 300 px / 30 days = 10 px a day; 38 px needed: every 7th day, counted back from the newest.
    expect(ticks.map((x) => (start + 30 * DAY - x) / DAY)).toEqual([28, 21, 14, 7, 0]);
  });

  it('drop a label that would cross the edge of the chart', () => {
    process.env.TZ = 'UTC';
    const start = Date.parse('2026-05-01T00:00:00Z') / 1000;
    const l = layout(start, DAY, 8, 700, 40, { min: 0, max: 700 });
    const ticks = axisTicks(l);
    // The first and last day sit on the edges: half their label would be cut off.
    expect(ticks).toEqual([1, 2, 3, 4, 5, 6].map((d) => start + d * DAY));
  });

  it('never let labels of different widths overlap, even when no round step fits', () => {
    process.env.TZ = 'UTC';
    const start = Date.parse('2026-01-01T00:00:00Z') / 1000;
    // A day's hours on 60 px: not even one label a day fits on the round steps.
    const wide = (x: number) => (new Date(x * 1000).getUTCHours() === 0 ? 50 : 36);
    const l = layout(start, HOUR, 25, 60, wide);
    const ticks = axisTicks(l);
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(crowded(l, ticks)).toEqual([]);
  });

  it('have nothing to label without points', () => {
    expect(axisTicks(layout(0, DAY, 0, 300, 30))).toEqual([]);
  });
});
