/** Statistics shaped for charts: per-hour series with the empty hours filled in. */
import type { StatsSummary } from '@zpub/shared';

export const RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '365d': 24 * 365 } as const;
export type RangeKey = keyof typeof RANGES;

export function isRangeKey(v: unknown): v is RangeKey {
  return typeof v === 'string' && v in RANGES;
}

const HOUR = 3600_000;

/** Unix-second x values and the three series, one point per hour from the first hour to `now`. */
export function hourlySeries(perHour: StatsSummary['perHour'], sinceIso: string, now = Date.now()): [number[], number[], number[], number[]] {
  const start = Math.floor(Date.parse(sinceIso) / HOUR) * HOUR;
  const end = Math.floor(now / HOUR) * HOUR;
  const byHour = new Map(perHour.map((p) => [Math.floor(Date.parse(p.hour) / HOUR) * HOUR, p]));
  const firstData = perHour.length > 0 ? Math.min(...byHour.keys()) : end;
  // Long ranges start at the first hour with data, so a chart of a year is not mostly empty.
  const from = Math.max(start, Math.min(firstData, end) - 6 * HOUR);
  const xs: number[] = [];
  const created: number[] = [];
  const success: number[] = [];
  const failed: number[] = [];
  for (let h = from; h <= end; h += HOUR) {
    const p = byHour.get(h);
    xs.push(h / 1000);
    created.push(p?.created ?? 0);
    success.push(p?.success ?? 0);
    failed.push(p?.failed ?? 0);
  }
  return [xs, created, success, failed];
}
