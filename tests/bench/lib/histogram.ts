/**
 * Reads one Prometheus histogram from a server's /metrics, so a benchmark can split a latency it
 * measures end to end: the server's own histogram covers the leg up to the server, the rest is
 * after it. Deltas of two readings give the figures of one run.
 */
export interface Buckets {
  /** Upper bound (seconds) → cumulative count. */
  le: Map<number, number>;
  count: number;
}

export async function readHistogram(baseUrl: string, name: string): Promise<Buckets> {
  const res = await fetch(new URL('/metrics', baseUrl));
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  const le = new Map<number, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const m = /le="([^"]+)"\}\s+(\d+(?:\.\d+)?)/.exec(line);
      if (m?.[1] && m[2]) le.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
    } else if (line.startsWith(`${name}_count`)) {
      count = Number(line.split(/\s+/)[1] ?? 0);
    }
  }
  if (le.size === 0) throw new Error(`the server's /metrics has no histogram ${name}`);
  return { le, count };
}

export function delta(after: Buckets, before: Buckets): Buckets {
  const le = new Map<number, number>();
  for (const [b, n] of after.le) le.set(b, n - (before.le.get(b) ?? 0));
  return { le, count: after.count - before.count };
}

/** The bucket bound under which `p` % of the observations fall ("≤ 50 ms"), as a phrase. */
export function percentileBound(h: Buckets, p: number): string {
  if (h.count === 0) return 'no observations';
  const want = (h.count * p) / 100;
  const bounds = [...h.le.keys()].sort((a, b) => a - b);
  for (const b of bounds) {
    if ((h.le.get(b) ?? 0) >= want) return Number.isFinite(b) ? `≤ ${b * 1000} ms` : `> ${(bounds.at(-2) ?? 0) * 1000} ms`;
  }
  return 'unknown';
}
