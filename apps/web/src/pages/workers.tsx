/**
 * 工作节点: the workers and their slots. No event tells of heartbeats, so the list is fetched
 * again when tasks start or finish (debounced; busy slots change then) and on a slow 15 s timer
 * for workers that appear, go quiet or stop while no task moves. Only this page has a timer.
 */
import type { WorkerView } from '@zpub/shared';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { formatTime } from '../lib/datetime';
import { relativeTime } from '../lib/format';
import { report } from '../lib/session';
import { api } from '../lib/trpc';

const SLOW_REFRESH_MS = 15_000;
const EVENT_DEBOUNCE_MS = 1000;

export function Workers() {
  const app = useApp();
  const [workers, setWorkers] = createSignal<WorkerView[] | null>(null);
  const [error, setError] = createSignal('');
  const [at, setAt] = createSignal<string>('');
  const [now, setNow] = createSignal(Date.now());
  let inFlight = false;

  async function load(): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    try {
      setWorkers(await api.worker.list.query());
      setError('');
      setAt(new Date().toISOString());
      setNow(Date.now());
    } catch (err) {
      setError(report(err).message);
    } finally {
      inFlight = false;
    }
  }

  onMount(() => {
    void load();
    let debounce: ReturnType<typeof setTimeout> | undefined;
    const off = app.store.onEvent((e) => {
      // Slots change when a task takes one (browser) or lets it go (any end of an attempt).
      const moves = e.stage === 'browser' || ['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status) || e.stage === 'retrying' || e.stage === 'requeued';
      if (!moves || debounce) return;
      debounce = setTimeout(() => {
        debounce = undefined;
        void load();
      }, EVENT_DEBOUNCE_MS);
    });
    const timer = setInterval(() => void load(), SLOW_REFRESH_MS);
    onCleanup(() => {
      off();
      clearTimeout(debounce);
      clearInterval(timer);
    });
  });

  const totals = () => {
    const list = (workers() ?? []).filter((w) => w.alive);
    return { slots: list.reduce((n, w) => n + w.slots, 0), busy: list.reduce((n, w) => n + w.busy, 0) };
  };

  return (
    <section class="page workers-page" aria-labelledby="workers-h">
      <div class="page-head">
        <h1 id="workers-h">{t.workers.title}</h1>
        <Show when={at()}>
          <span class="muted small" data-testid="workers-refreshed">
            {t.workers.refreshedAt(formatTime(at()))}
          </span>
        </Show>
        <button type="button" class="secondary" data-testid="workers-refresh" onClick={() => void load()}>
          {t.workers.refresh}
        </button>
      </div>
      <p class="muted">{t.workers.intro}</p>
      <Show when={error()}>
        <p class="alert error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={workers()} fallback={<p class="muted">{t.app.loading}</p>}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="alert warn" data-testid="workers-empty">{t.workers.empty}</p>}>
            <p data-testid="workers-totals">
              {t.workers.busy} {totals().busy} / {t.workers.slots} {totals().slots}
            </p>
            <table class="table stack" data-testid="worker-list">
              <thead>
                <tr>
                  <th scope="col">{t.workers.id}</th>
                  <th scope="col">{t.workers.host}</th>
                  <th scope="col">{t.workers.state}</th>
                  <th scope="col">{t.workers.busy}</th>
                  <th scope="col">{t.workers.done}</th>
                  <th scope="col">{t.workers.lastSeen}</th>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>
                  {(w) => (
                    <tr data-testid="worker-row" data-worker-id={w.id} data-alive={String(w.alive)} data-draining={String(w.draining)}>
                      <td class="mono small" data-label={t.workers.id}>
                        {w.id}
                      </td>
                      <td data-label={t.workers.host}>
                        {w.host} <span class="muted small">pid {w.pid}</span>
                      </td>
                      <td data-label={t.workers.state}>
                        <span class={`badge ${w.alive ? (w.draining ? 'badge-queued' : 'badge-success') : 'badge-failed'}`}>
                          {w.alive ? (w.draining ? t.workers.draining : t.workers.alive) : t.workers.gone}
                        </span>
                      </td>
                      <td data-label={t.workers.busy}>
                        {/* A picture of the numbers beside it, which screen readers read instead. */}
                        <div class="slots" aria-hidden="true">
                          <For each={Array.from({ length: w.slots }, (_, i) => i < w.busy)}>{(busy) => <span class="slot" classList={{ busy }} />}</For>
                        </div>
                        <span class="small">
                          {w.busy}/{w.slots}
                        </span>
                      </td>
                      <td data-label={t.workers.done}>{w.done}</td>
                      <td title={formatTime(w.lastSeen)} data-label={t.workers.lastSeen}>
                        {relativeTime(w.lastSeen, now())}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Show>
    </section>
  );
}
