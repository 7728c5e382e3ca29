/**
 * Targets and goals, and what they make of the run's exit code. A target is judged (pass or fail)
 * and a failed one fails `pnpm bench`; a goal is the absolute figure the product aims at, reported
 * as met or missed but never failing the run (the ratio to a baseline is what the code controls);
 * a stated figure is reported without a judgement.
 */

export interface TargetResult {
  what: string;
  target: string;
  measured: string;
  /** null: stated, not judged. */
  pass: boolean | null;
  /** 'goal': reported as met or missed, never fails the run. Absent means 'target'. */
  kind?: 'target' | 'goal';
}

type Format = (v: number) => string;

/** A measurement that cannot be judged (NaN: no samples) fails: a missing figure never passes. */
function judged(ok: boolean, ...values: number[]): boolean {
  return values.every(Number.isFinite) && ok;
}

export function atMost(what: string, measured: number, limit: number, fmt: Format): TargetResult {
  return { what, target: `≤ ${fmt(limit)}`, measured: fmt(measured), pass: judged(measured <= limit, measured, limit) };
}

export function atLeast(what: string, measured: number, limit: number, fmt: Format): TargetResult {
  return { what, target: `≥ ${fmt(limit)}`, measured: fmt(measured), pass: judged(measured >= limit, measured, limit) };
}

/** system ÷ baseline, as "1.32 × (180 ms ÷ 136 ms)". */
export function ratioText(system: number, baseline: number, fmt: Format): string {
  const r = system / baseline;
  return `${Number.isFinite(r) ? r.toFixed(2) : 'n/a'} × (${fmt(system)} ÷ ${fmt(baseline)})`;
}

/** The system's figure may be at most `max` times the baseline's (latencies). */
export function ratioAtMost(what: string, system: number, baseline: number, max: number, fmt: Format, baselineName = 'baseline'): TargetResult {
  return {
    what,
    target: `≤ ${max} × ${baselineName}`,
    measured: ratioText(system, baseline, fmt),
    pass: judged(baseline > 0 && system <= max * baseline, system, baseline),
  };
}

/** The system's figure must be at least `min` times the baseline's (throughputs). */
export function ratioAtLeast(what: string, system: number, baseline: number, min: number, fmt: Format, baselineName = 'baseline'): TargetResult {
  return {
    what,
    target: `≥ ${min} × ${baselineName}`,
    measured: ratioText(system, baseline, fmt),
    pass: judged(baseline > 0 && system >= min * baseline, system, baseline),
  };
}

/**
 * A level that must come back: in every round, `after` at most `limit` (0.1 = 10 %) above
 * `before` (memory after a load left, against before it came).
 */
export function growthAtMost(what: string, rounds: readonly { before: number; after: number }[], limit: number, fmt: Format): TargetResult {
  const growth = rounds.map((r) => r.after / r.before - 1);
  const sign = (g: number) => (g >= 0 ? '+' : '');
  return {
    what,
    target: `within ${Math.round(limit * 100)} % of before, every round`,
    measured: rounds.map((r, i) => `${fmt(r.before)} → ${fmt(r.after)} (${sign(growth[i] ?? 0)}${((growth[i] ?? Number.NaN) * 100).toFixed(0)} %)`).join('; ') || 'no rounds',
    pass: rounds.length > 0 && rounds.every((r, i) => Number.isFinite(growth[i] ?? Number.NaN) && r.after <= r.before * (1 + limit)),
  };
}

/** An absolute goal: reported as met or missed, never failing the run. */
export function goalAtMost(what: string, measured: number, limit: number, fmt: Format): TargetResult {
  return { ...atMost(what, measured, limit, fmt), kind: 'goal' };
}

export function stated(what: string, measured: string, target = 'stated'): TargetResult {
  return { what, target, measured, pass: null };
}

export function verdictText(t: TargetResult): string {
  if (t.pass === null) return 'stated';
  if (t.kind === 'goal') return t.pass ? 'goal met' : 'goal missed';
  return t.pass ? 'pass' : 'FAIL';
}

/** The targets (not goals, not stated figures) that failed. */
export function failedTargets<R extends { title: string; targets: TargetResult[] }>(results: readonly R[]): { title: string; what: string }[] {
  return results.flatMap((r) => r.targets.filter((t) => t.pass === false && t.kind !== 'goal').map((t) => ({ title: r.title, what: t.what })));
}

/**
 * 0: every target met. 1: a target failed (unless reportOnly) or a benchmark could not run (a
 * broken run is never a report, so reportOnly does not hide it).
 */
export function exitCode(results: readonly { title: string; targets: TargetResult[]; error?: string | undefined }[], reportOnly: boolean): number {
  if (results.some((r) => r.error !== undefined)) return 1;
  if (!reportOnly && failedTargets(results).length > 0) return 1;
  return 0;
}
