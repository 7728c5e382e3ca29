import { describe, expect, it } from 'vitest';
import { suggestNice } from './nice-rule';
import { atLeast, atMost, exitCode, failedTargets, goalAtMost, growthAtMost, ratioAtLeast, ratioAtMost, stated, verdictText } from './verdict';

const id = (v: number) => String(v);

describe('targets', () => {
  it('judges absolute limits, the limit itself included', () => {
    expect(atMost('p95', 100, 100, id).pass).toBe(true);
    expect(atMost('p95', 100.1, 100, id).pass).toBe(false);
    expect(atLeast('rate', 9, 10, id).pass).toBe(false);
    expect(atMost('p95', Number.NaN, 100, id).pass).toBe(false);
  });

  it('judges ratios to a baseline', () => {
    expect(ratioAtMost('p99', 150, 100, 1.5, id).pass).toBe(true);
    expect(ratioAtMost('p99', 151, 100, 1.5, id).pass).toBe(false);
    expect(ratioAtMost('p99', 151, 100, 1.5, id).measured).toBe('1.51 × (151 ÷ 100)');
    expect(ratioAtLeast('rate', 80, 100, 0.8, id).pass).toBe(true);
    expect(ratioAtLeast('rate', 79, 100, 0.8, id).pass).toBe(false);
  });

  it('never passes a ratio whose baseline is missing or zero', () => {
    expect(ratioAtMost('p99', 10, Number.NaN, 1.5, id).pass).toBe(false);
    expect(ratioAtMost('p99', 0, 0, 1.5, id).pass).toBe(false);
    expect(ratioAtLeast('rate', 10, 0, 0.8, id).pass).toBe(false);
    expect(ratioAtLeast('rate', Number.NaN, 10, 0.8, id).pass).toBe(false);
  });

  it('checks that a level comes back in every round', () => {
    const mb = (v: number) => `${v} MB`;
    expect(growthAtMost('rss', [{ before: 100, after: 110 }, { before: 120, after: 100 }], 0.1, mb).pass).toBe(true);
    const leak = growthAtMost('rss', [{ before: 100, after: 105 }, { before: 100, after: 111 }], 0.1, mb);
    expect(leak.pass).toBe(false);
    expect(leak.measured).toBe('100 MB → 105 MB (+5 %); 100 MB → 111 MB (+11 %)');
    expect(growthAtMost('rss', [], 0.1, mb).pass).toBe(false);
    expect(growthAtMost('rss', [{ before: 0, after: 10 }], 0.1, mb).pass).toBe(false);
  });
});

describe('the exit code', () => {
  const bench = (targets: ReturnType<typeof atMost>[], error?: string) => ({ title: 'b', targets, ...(error ? { error } : {}) });

  it('is 0 when every target is met, whatever the goals and stated figures say', () => {
    const r = [bench([atMost('p95', 1, 2, id), goalAtMost('p95', 300, 250, id), stated('rss', '1 GB')])];
    expect(verdictText(r[0]?.targets[1] ?? stated('', ''))).toBe('goal missed');
    expect(exitCode(r, false)).toBe(0);
    expect(failedTargets(r)).toEqual([]);
  });

  it('is 1 when a target fails, unless --report-only', () => {
    const r = [bench([atMost('p95', 1, 2, id)]), bench([ratioAtMost('p99', 300, 100, 1.5, id)])];
    expect(exitCode(r, false)).toBe(1);
    expect(exitCode(r, true)).toBe(0);
    expect(failedTargets(r)).toEqual([{ title: 'b', what: 'p99' }]);
  });

  it('is 1 when a benchmark could not run, even with --report-only', () => {
    expect(exitCode([bench([], 'the stack did not start')], true)).toBe(1);
  });
});

describe('the BROWSER_NICE rule', () => {
  it('keeps 0 unless 10 is much prompter for little throughput', () => {
    expect(suggestNice({ 0: 1500, 10: 100 }, { 0: 1, 10: 0.8 }).nice).toBe(0);
    expect(suggestNice({ 0: 1500, 10: 100 }, { 0: 1, 10: 0.95 }).nice).toBe(10);
    expect(suggestNice({ 0: 300, 10: 250 }, { 0: 1, 10: 1 }).nice).toBe(0);
    expect(suggestNice({ 0: Number.NaN, 10: 100 }, { 0: 1, 10: 1 }).nice).toBe(0);
  });

  it('says a share just under the line as it is, not rounded onto the line', () => {
    // The full run at c53dc03: 80 articles in 100.6 s against 80 in 90.2 s.
    const { nice, why } = suggestNice({ 0: 289, 10: 27 }, { 0: 80 / 90.2, 10: 80 / 100.6 });
    expect(nice).toBe(0);
    expect(why).toContain('keeps 89.7 % of the publishing throughput');
  });
});
