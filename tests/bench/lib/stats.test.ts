import { describe, expect, it } from 'vitest';
import { alternate, median, percentile, pool, pooledRate, spread } from './stats';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = range(100).reverse();
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile(range(10), 95)).toBe(10);
  });

  it('is NaN without samples, so a figure with nothing behind it cannot pass', () => {
    expect(percentile([], 95)).toBeNaN();
    expect(spread([]).p95).toBeNaN();
    expect(spread([]).max).toBeNaN();
  });
});

describe('pooling rounds', () => {
  it('differs from a median of per-round percentiles when one round is slow', () => {
    const quick = Array.from({ length: 100 }, () => 10);
    const slow = Array.from({ length: 100 }, () => 1000);
    const rounds = [quick, quick, slow];
    expect(median(rounds.map((r) => percentile(r, 95)))).toBe(10);
    expect(spread(pool(rounds)).p95).toBe(1000);
    expect(pool(rounds)).toHaveLength(300);
  });

  it('spreads large arrays without running out of stack', () => {
    const xs = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    const s = spread(xs);
    expect(s.max).toBe(999);
    expect(s.n).toBe(300_000);
    expect(s.p50).toBe(499);
  });

  it('rates the whole work over the whole time, not a median of rates', () => {
    expect(pooledRate([40, 40], [10, 30])).toBe(2);
    expect(median([40 / 10, 40 / 30])).not.toBe(2);
    expect(pooledRate([], [])).toBeNaN();
    expect(pooledRate([5], [0])).toBeNaN();
  });
});

describe('alternate', () => {
  it('swaps the order every round', () => {
    expect([0, 1, 2, 3].map((r) => alternate(r, 'A', 'B').join(''))).toEqual(['AB', 'BA', 'AB', 'BA']);
  });
});
