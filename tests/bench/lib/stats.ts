/**
 * Percentiles over plain arrays of samples (nearest rank, as HDR histograms report). Figures of
 * several rounds are always pooled (every sample of every round in one array), never a median of
 * per-round percentiles: the p95 of a run is the p95 of all it measured.
 */

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** The p-th percentile (0-100) of samples already sorted ascending, by nearest rank. */
function rankOf(s: readonly number[], p: number): number {
  if (s.length === 0) return Number.NaN;
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] ?? Number.NaN;
}

/** The p-th percentile (0-100) by nearest rank; NaN for no samples. */
export function percentile(xs: readonly number[], p: number): number {
  return rankOf(sorted(xs), p);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface Spread {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  const s = sorted(xs);
  return { n: s.length, p50: rankOf(s, 50), p95: rankOf(s, 95), p99: rankOf(s, 99), max: s.length ? (s[s.length - 1] ?? Number.NaN) : Number.NaN };
}

/** Every sample of every round in one array (the only way rounds are combined into a percentile). */
export function pool(rounds: readonly (readonly number[])[]): number[] {
  return rounds.flat();
}

/** Work per second over all rounds together: total done ÷ total time (not a median of rates). */
export function pooledRate(done: readonly number[], seconds: readonly number[]): number {
  const time = seconds.reduce((a, b) => a + b, 0);
  return time > 0 ? done.reduce((a, b) => a + b, 0) / time : Number.NaN;
}

/**
 * The order of two subjects in round `round` (from 0): A B, B A, A B, ... so that neither always
 * runs first (warmer caches, a cooler machine) and drift over the run falls on both alike.
 */
export function alternate<T>(round: number, a: T, b: T): [T, T] {
  return round % 2 === 0 ? [a, b] : [b, a];
}

/** `12.3 ms`, `1.23 s`: what a person reads in a table. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  return `${v.toFixed(1)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function fixed(v: number, digits = 2): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}
