/**
 * Statistics shaped for charts. The server counts per UTC hour; a chart of a day shows those hours,
 * a chart of a week or more adds them up per day, a day being midnight to midnight where the
 * person is (the browser's time zone, so a day of 23 or 25 hours around a clock change too).
 */
import type { StatsSummary } from '@zpub/shared';

export const RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '365d': 24 * 365 } as const;
export type RangeKey = keyof typeof RANGES;

export function isRangeKey(v: unknown): v is RangeKey {
  return typeof v === 'string' && v in RANGES;
}

export type Bucket = 'hour' | 'day';
/** How much time one point of the throughput chart stands for, per range. */
export const BUCKET_OF: Record<RangeKey, Bucket> = { '24h': 'hour', '7d': 'day', '30d': 'day', '365d': 'day' };

const HOUR = 3600_000;
/** A year starts at its first day with data (less one), and shows at least this many days. */
const YEAR_MIN_DAYS = 7;

/** The start of the bucket that holds `ms`: the (absolute) hour, or the local day. */
export function bucketStart(ms: number, bucket: Bucket): number {
  if (bucket === 'hour') return Math.floor(ms / HOUR) * HOUR;
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The start of the bucket after the one starting at `start`. */
function nextBucket(start: number, bucket: Bucket): number {
  if (bucket === 'hour') return start + HOUR;
  const d = new Date(start);
  // Noon of the next local day, then its midnight: right across clock changes.
  return bucketStart(new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 12).getTime(), 'day');
}

function previousBucket(start: number, bucket: Bucket): number {
  if (bucket === 'hour') return start - HOUR;
  const d = new Date(start);
  return bucketStart(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1, 12).getTime(), 'day');
}

export interface ThroughputSeries {
  bucket: Bucket;
  /** Bucket starts, in Unix seconds (what uPlot takes). */
  xs: number[];
  created: number[];
  success: number[];
  failed: number[];
}

/**
 * One point per bucket from the start of the range to now, the empty ones as zeros. An hour of
 * the server's goes to the local day its start falls in (in a time zone with a half-hour offset
 * an hour that straddles midnight counts for the day it began in).
 */
export function throughputSeries(perHour: StatsSummary['perHour'], sinceIso: string, range: RangeKey, now = Date.now()): ThroughputSeries {
  const bucket = BUCKET_OF[range];
  const end = bucketStart(now, bucket);
  let from = bucketStart(Date.parse(sinceIso), bucket);
  if (range === '365d') {
    // A year is mostly empty for someone who started last week: begin a day before the first data.
    const first = perHour.reduce((min, p) => Math.min(min, Date.parse(p.hour)), end);
    let weekAgo = end;
    for (let i = 1; i < YEAR_MIN_DAYS; i++) weekAgo = previousBucket(weekAgo, bucket);
    from = Math.max(from, Math.min(previousBucket(bucketStart(first, bucket), bucket), weekAgo));
  }
  const out: ThroughputSeries = { bucket, xs: [], created: [], success: [], failed: [] };
  const index = new Map<number, number>();
  for (let b = from; b <= end; b = nextBucket(b, bucket)) {
    index.set(b, out.xs.length);
    out.xs.push(b / 1000);
    out.created.push(0);
    out.success.push(0);
    out.failed.push(0);
  }
  for (const p of perHour) {
    const i = index.get(bucketStart(Date.parse(p.hour), bucket));
    if (i === undefined) continue;
    out.created[i] = (out.created[i] ?? 0) + p.created;
    out.success[i] = (out.success[i] ?? 0) + p.success;
    out.failed[i] = (out.failed[i] ?? 0) + p.failed;
  }
  return out;
}
