/**
 * Which points of a time axis get a label: as many as fit side by side without touching, on round
 * times (every 3 hours, every 7 days...), and none past the chart's edges.
 */
import type { Bucket } from './stats';

/** How many buckets apart two labels may be: hour steps divide a day; day steps are days and weeks. */
export const TICK_STEPS: Record<Bucket, readonly number[]> = {
  hour: [1, 2, 3, 4, 6, 12, 24],
  day: [1, 2, 3, 7, 14, 28, 56, 91, 182, 364],
};

export interface TickLayout {
  /** Bucket starts in Unix seconds, one bucket apart, oldest first. */
  xs: readonly number[];
  bucket: Bucket;
  /** Where `x` is drawn, in CSS pixels. */
  pos: (x: number) => number;
  /** How wide the label of `x` is, in CSS pixels. */
  width: (x: number) => number;
  /** The span labels may take up, in the same pixels. */
  min: number;
  max: number;
  /** Pixels kept free between two labels. */
  gap?: number;
}

/** The x values to label, oldest first; their labels (centred on them) never overlap. */
export function axisTicks(layout: TickLayout): number[] {
  const { xs, bucket, pos, width } = layout;
  const gap = layout.gap ?? 8;
  const [first, second] = xs;
  if (first === undefined) return [];
  const perBucket = second === undefined ? Infinity : Math.abs(pos(second) - pos(first));
  const widest = Math.max(...xs.map(width));
  const step = TICK_STEPS[bucket].find((s) => s * perBucket >= widest + gap);
  const round = step === undefined ? [] : fitting(xs.filter((x, i) => onStep(x, xs.length - 1 - i, step, bucket)), layout, gap);
  // No round step fits (a very narrow chart, or the round points sit on the edges): whatever
  // fits, one by one, so the axis is never bare.
  return round.length > 0 ? round : fitting(xs, layout, gap);
}

/** Of `candidates`, oldest first, each whose label fits inside the span and clear of the last kept. */
function fitting(candidates: readonly number[], layout: TickLayout, gap: number): number[] {
  const out: number[] = [];
  let lastRight = -Infinity;
  for (const x of candidates) {
    const half = layout.width(x) / 2;
    const centre = layout.pos(x);
    if (centre - half < layout.min || centre + half > layout.max || centre - half < lastRight + gap) continue;
    out.push(x);
    lastRight = centre + half;
  }
  return out;
}

/** Hours on the clock's multiples of the step (local time); days counted back from the newest. */
function onStep(x: number, fromNewest: number, step: number, bucket: Bucket): boolean {
  if (bucket === 'hour') return new Date(x * 1000).getHours() % step === 0;
  return fromNewest % step === 0;
}
