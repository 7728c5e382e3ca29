/**
 * 统计: throughput per hour, success rate, durations and failure reasons over a period. The
 * summary is fetched again (debounced) when tasks are created or finish: no timer.
 */
import type { StatsSummary } from '@zpub/shared';
import { useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import uPlot from 'uplot';
import { Chart } from '../components/chart';
import { lang, t } from '../i18n';
import { useApp } from '../lib/app-context';
import { toIsoWithOffset } from '../lib/datetime';
import { STATUSES } from '../lib/filters';
import { TERMINAL } from '../lib/format';
import { report } from '../lib/session';
import { hourlySeries, isRangeKey, RANGES, type RangeKey } from '../lib/stats';
import { api } from '../lib/trpc';

const REFETCH_DEBOUNCE_MS = 1500;
const COLORS = { created: '#3b82f6', success: '#16a34a', failed: '#dc2626' };

export function Stats() {
  const app = useApp();
  const [params, setParams] = useSearchParams();
  const range = (): RangeKey => (isRangeKey(params.range) ? params.range : '7d');
  const [summary, setSummary] = createSignal<StatsSummary | null>(null);
  const [error, setError] = createSignal('');
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    const since = toIsoWithOffset(new Date(Date.now() - RANGES[range()] * 3600_000));
    try {
      const res = await api.stats.summary.query({ since });
      if (mine === seq) {
        setSummary(res);
        setError('');
      }
    } catch (err) {
      if (mine === seq) setError(report(err).message);
    }
  }

  createEffect(on(range, () => void load()));

  onMount(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = app.store.onEvent((e) => {
      const counts = TERMINAL.includes(e.status) || (e.v === 0 && e.task !== undefined);
      if (!counts || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void load();
      }, REFETCH_DEBOUNCE_MS);
    });
    onCleanup(() => {
      off();
      clearTimeout(timer);
    });
  });

  const series = createMemo(() => {
    const s = summary();
    return s ? hourlySeries(s.perHour, s.since) : null;
  });

  const throughputOptions: Omit<uPlot.Options, 'width' | 'height'> = {
    scales: { x: { time: true } },
    axes: [{ values: (_u, splits) => splits.map((s) => hourLabel(s)) }, { label: t.stats.count }],
    series: [
      { label: t.stats.hour, value: (_u, v) => (v === null ? '—' : hourLabel(v)) },
      { label: t.stats.created, stroke: COLORS.created, width: 2 },
      { label: t.stats.success, stroke: COLORS.success, width: 2 },
      { label: t.stats.failed, stroke: COLORS.failed, width: 2 },
    ],
  };

  const failures = () => summary()?.failuresByCode ?? [];
  const failureOptions = createMemo((): Omit<uPlot.Options, 'width' | 'height'> => {
    const names = failures().map((f) => t.errorName[f.code]);
    return {
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } },
      axes: [{ values: (_u, splits) => splits.map((v) => names[v] ?? ''), space: 40, gap: 4 }, { label: t.stats.count }],
      legend: { show: false },
      series: [{}, { label: t.stats.failed, stroke: COLORS.failed, fill: 'rgba(220,38,38,0.35)', paths: barPaths(), points: { show: false } }],
    };
  });
  const failureData = createMemo((): uPlot.AlignedData => [failures().map((_, i) => i), failures().map((f) => f.count)]);

  const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : t.time.ms(v));

  return (
    <section class="page stats-page" aria-labelledby="stats-h">
      <div class="page-head">
        <h1 id="stats-h">{t.stats.title}</h1>
        <div class="field inline">
          <label for="stats-range">{t.stats.since}</label>
          <select id="stats-range" data-testid="stats-range" value={range()} onChange={(e) => setParams({ range: e.currentTarget.value === '7d' ? undefined : e.currentTarget.value }, { replace: true })}>
            <For each={Object.keys(RANGES)}>
              {(key) => (
                <option value={key} selected={key === range()}>
                  {t.stats.ranges[key] ?? key}
                </option>
              )}
            </For>
          </select>
        </div>
        <span class="muted small">{t.stats.live}</span>
      </div>
      <Show when={error()}>
        <p class="alert error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={summary()} fallback={<p class="muted">{t.app.loading}</p>}>
        {(s) => (
          <>
            <div class="tiles" data-testid="stats-tiles">
              <div class="tile">
                <span class="tile-label">{t.stats.total}</span>
                <span class="tile-value" data-testid="stats-total">
                  {s().total}
                </span>
              </div>
              <div class="tile">
                <span class="tile-label" title={t.stats.successRateHint}>
                  {t.stats.successRate}
                </span>
                <span class="tile-value" data-testid="stats-success-rate">
                  {percent(s().successRate)}
                </span>
              </div>
              <div class="tile">
                <span class="tile-label">{t.stats.p50}</span>
                <span class="tile-value" data-testid="stats-p50">
                  {ms(s().durationMs.p50)}
                </span>
                <span class="muted small">{t.stats.durations(s().durationMs.count)}</span>
              </div>
              <div class="tile">
                <span class="tile-label">{t.stats.p95}</span>
                <span class="tile-value" data-testid="stats-p95">
                  {ms(s().durationMs.p95)}
                </span>
              </div>
            </div>

            <div class="card">
              <h2>{t.stats.byStatus}</h2>
              <ul class="status-counts" data-testid="stats-by-status">
                <For each={STATUSES}>
                  {(status) => (
                    <li data-status={status}>
                      <span class={`badge badge-${status}`}>{t.status[status]}</span> <strong>{s().byStatus[status] ?? 0}</strong>
                    </li>
                  )}
                </For>
              </ul>
            </div>

            <div class="card">
              <h2>{t.stats.throughput}</h2>
              <Show when={s().total > 0} fallback={<p class="muted">{t.stats.noData}</p>}>
                <Show when={series()}>{(data) => <Chart options={throughputOptions} data={data()} label={t.stats.throughput} testid="chart-throughput" />}</Show>
              </Show>
            </div>

            <div class="card">
              <h2>{t.stats.failures}</h2>
              <Show when={failures().length > 0} fallback={<p class="muted">{t.stats.noFailures}</p>}>
                <Show when={failureOptions()} keyed>
                  {(options) => <Chart options={options} data={failureData()} label={t.stats.failures} height={200} testid="chart-failures" />}
                </Show>
                <table class="table small" data-testid="stats-failures">
                  <tbody>
                    <For each={failures()}>
                      {(f) => (
                        <tr data-code={f.code}>
                          <th scope="row">{t.errorName[f.code]}</th>
                          <td>{f.count}</td>
                          <td class="muted">{t.errorCode[f.code]}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

const hourFormat = new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** Unix seconds -> "11/28 09:00" in local time (uPlot's own labels are English). */
function hourLabel(seconds: number): string {
  return hourFormat.format(new Date(seconds * 1000));
}

function barPaths(): uPlot.Series.PathBuilder | undefined {
  // uPlot's bar builder is optional in its types; it ships in the default build.
  return uPlot.paths.bars?.({ size: [0.6, 64] });
}
