/**
 * How the BROWSER_NICE A/B (nice.ts) turns into a default: nice 10 must buy a clearly prompter
 * fan-out for little publishing throughput, or the default stays 0 (Chromium at the worker's own
 * priority).
 */
import { fixed } from './stats';

export const SETTINGS = [0, 10] as const;
export type Nice = (typeof SETTINGS)[number];
/** 10 becomes the default only if it cuts the fan-out p95 by this share… */
export const MIN_P95_GAIN = 1 / 3;
/** …while keeping at least this share of the publishing throughput. */
export const MIN_THROUGHPUT_KEPT = 0.9;

/** Which default the figures support, and why, by the rule above. */
export function suggestNice(p95: Record<Nice, number>, rate: Record<Nice, number>): { nice: Nice; why: string } {
  const gain = 1 - p95[10] / p95[0];
  const kept = rate[10] / rate[0];
  // One decimal: a share just under the line must not read as the line itself ("keeps 90 %").
  const figures = `nice 10 changes the fan-out p95 by ${fixed(-100 * gain, 0)} % and keeps ${fixed(100 * kept, 1)} % of the publishing throughput`;
  if (Number.isFinite(gain) && Number.isFinite(kept) && gain >= MIN_P95_GAIN && kept >= MIN_THROUGHPUT_KEPT) {
    return { nice: 10, why: `${figures}: it buys prompt progress for little publishing, so 10` };
  }
  return {
    nice: 0,
    why: `${figures}; 10 would need to cut the p95 by at least ${fixed(100 * MIN_P95_GAIN, 0)} % while keeping ${fixed(100 * MIN_THROUGHPUT_KEPT, 0)} % of the throughput, so 0`,
  };
}

