/**
 * 统计: throughput (per hour over a day, per day over longer ranges), success rate, durations and
 * failure reasons over a period. The summary is fetched again (debounced) when tasks are created
 * or finish: no timer.
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
import { axisTicks } from '../lib/chart-ticks';
import { BUCKET_OF, isRangeKey, RANGES, throughputSeries, type Bucket, type RangeKey } from '../lib/stats';
import { api } from '../lib/trpc';

const REFETCH_DEBOUNCE_MS = 1500;
const COLORS = { created: '#3b82f6', success: '#16a34a', failed: '#dc2626' };

export function Stats() {
  const app = useApp();
  const [params, setParams] = useSearchParams();
  const range = (): RangeKey => (isRangeKey(params.range) ? params.range : '7d');
  const [summary, setSummary] = createSignal<(StatsSummary & { range: RangeKey }) | null>(null);
  const [error, setError] = createSignal('');
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    const asked = range();
    const since = toIsoWithOffset(new Date(Date.now() - RANGES[asked] * 3600_000));
    try {
      const res = await api.stats.summary.query({ since });
      if (mine === seq) {
        setSummary({ ...res, range: asked });
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

  // Only the summary of the range on screen: after a change of range the chart waits for its
  // own numbers rather than drawing the old ones in the new bucket size.
  const series = createMemo(() => {
    const s = summary();
    return s && s.range === range() ? throughputSeries(s.perHour, s.since, s.range) : null;
  });
  const bucket = (): Bucket => series()?.bucket ?? BUCKET_OF[range()];
  const throughputData = createMemo((): uPlot.AlignedData | null => {
    const s = series();
    return s ? [s.xs, s.created, s.success, s.failed] : null;
  });

  const failures = () => summary()?.failuresByCode ?? [];
  const mostFailures = () => Math.max(1, ...failures().map((f) => f.count));

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
      <Show when={summary()?.rebuilding}>
        <p class="alert info" role="status" data-testid="stats-rebuilding">
          {t.stats.rebuilding}
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
              <h2>{t.stats.throughput[bucket()]}</h2>
              <Show when={s().total > 0} fallback={<p class="muted">{t.stats.noData}</p>}>
                <div data-testid="chart-throughput" data-bucket={series()?.bucket}>
                  {/* New options (and so a new chart) per bucket size; new data within one redraws it. */}
                  <Show when={series()?.bucket} keyed>
                    {(b) => (
                      <Show when={throughputData()}>{(data) => <Chart options={throughputOptions(b)} data={data()} label={t.stats.throughput[b]} />}</Show>
                    )}
                  </Show>
                </div>
              </Show>
            </div>

            <div class="card">
              <h2>{t.stats.failures}</h2>
              <Show when={failures().length > 0} fallback={<p class="muted">{t.stats.noFailures}</p>}>
                {/* Bars in the table: a name under each bar would not fit a phone, a row does. */}
                <table class="table small stack failure-bars" data-testid="stats-failures">
                  <thead class="sr-only">
                    <tr>
                      <th scope="col">{t.stats.reason}</th>
                      <th scope="col">{t.stats.count}</th>
                      <th scope="col">{t.stats.advice}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={failures()}>
                      {(f) => (
                        <tr data-code={f.code}>
                          <th scope="row">{t.errorName[f.code]}</th>
                          <td class="bar-cell">
                            <span class="bar-line">
                              <span class="bar-track" aria-hidden="true">
                                <span class="bar" style={{ width: `${(f.count / mostFailures()) * 100}%` }} />
                              </span>
                              <span class="bar-count">{f.count}</span>
                            </span>
                          </td>
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

// Our own labels: uPlot's are English.
const dayFormat = new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric' });
const clockFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const at = (seconds: number) => new Date(seconds * 1000);

/** An axis label, in local time: "09:00" for an hour ("11/28" at midnight), "11/28" for a day. */
function tickLabel(seconds: number, bucket: Bucket): string {
  const d = at(seconds);
  return bucket === 'hour' && (d.getHours() !== 0 || d.getMinutes() !== 0) ? clockFormat.format(d) : dayFormat.format(d);
}

/** The point under the pointer, in the legend: "11/28 09:00", or "11/28". */
function pointLabel(seconds: number, bucket: Bucket): string {
  const d = at(seconds);
  return bucket === 'hour' ? `${dayFormat.format(d)} ${clockFormat.format(d)}` : dayFormat.format(d);
}

/** Counts are whole numbers: no tick at 0.5. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

function throughputOptions(bucket: Bucket): Omit<uPlot.Options, 'width' | 'height'> {
  // Labels are measured in the font they are drawn in, so thinning knows their real widths.
  const font = `12px ${getComputedStyle(document.documentElement).fontFamily}`;
  const ctx = document.createElement('canvas').getContext('2d');
  if (ctx) ctx.font = font;
  const widths = new Map<string, number>();
  const width = (x: number) => {
    const text = tickLabel(x, bucket);
    const known = widths.get(text);
    if (known !== undefined) return known;
    const w = ctx ? ctx.measureText(text).width : text.length * 8;
    widths.set(text, w);
    return w;
  };
  return {
    scales: { x: { time: true } },
    axes: [
      {
        font,
        splits: (u) => {
          // bbox is in device pixels; positions and widths are CSS pixels.
          const plotLeft = u.bbox.left / uPlot.pxRatio;
          return axisTicks({ xs: Array.from(u.data[0]), bucket, pos: (x) => u.valToPos(x, 'x'), width, min: -plotLeft, max: u.width - plotLeft });
        },
        values: (_u, splits) => splits.map((x) => tickLabel(x, bucket)),
      },
      { font, label: t.stats.count, labelFont: `bold ${font}`, incrs: COUNT_STEPS },
    ],
    series: [
      { label: t.stats.time, value: (_u, v) => (v === null ? '—' : pointLabel(v, bucket)) },
      { label: t.stats.created, stroke: COLORS.created, width: 2 },
      { label: t.stats.success, stroke: COLORS.success, width: 2 },
      { label: t.stats.failed, stroke: COLORS.failed, width: 2 },
    ],
  };
}
