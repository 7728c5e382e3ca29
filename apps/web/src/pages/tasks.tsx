/**
 * 任务: the live task list. Pages of 100 come in as the person scrolls (cursor paging); only
 * the rows on screen are in the DOM. Rows change through the store (events); the list window
 * keeps membership and order right as they change. Filters and sort live in the URL.
 */
import type { ManyResult } from '@zpub/shared';
import { useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show, untrack } from 'solid-js';
import type { TaskChange } from '../lib/task-store';
import { PartsText } from '../components/note-text';
import { ROW_HEIGHT, TaskRow } from '../components/task-row';
import { TaskFilterBar } from '../components/task-filter-bar';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { wrongState } from '../lib/errors';
import { DEFAULT_FILTERS, filtersFromQuery, filtersToQuery, hasFilters, listInput, sameFilters, type TaskFilters } from '../lib/filters';
import { chunk } from '../lib/format';
import { report } from '../lib/session';
import { appendPage, couldShow, placeRow, type ListWindow } from '../lib/task-order';
import { api } from '../lib/trpc';
import { createMediaQuery, PHONE } from '../lib/media';
import { nearEnd, visibleRange } from '../lib/virtual';

const PAGE = 100;
/** The API takes at most this many ids per cancelMany/retryMany. */
const MANY_MAX = 500;

interface BulkReport {
  verb: string;
  changed: number;
  skipped: { id: string; title: string; reason: string }[];
}

export function Tasks() {
  const app = useApp();
  const [params, setParams] = useSearchParams();
  const filters = createMemo<TaskFilters>(() => filtersFromQuery(params), DEFAULT_FILTERS, { equals: sameFilters });

  const [win, setWin] = createSignal<ListWindow>({ ids: [], total: 0, complete: false });
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [loaded, setLoaded] = createSignal(false);
  const [loadError, setLoadError] = createSignal('');
  /** The server is rebuilding its task index: older tasks may be missing for now. */
  const [rebuilding, setRebuilding] = createSignal(false);
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  const [busyIds, setBusyIds] = createSignal<ReadonlySet<string>>(new Set());
  const [bulkBusy, setBulkBusy] = createSignal(false);
  const [confirmingRemove, setConfirmingRemove] = createSignal(false);
  const [bulk, setBulk] = createSignal<BulkReport | null>(null);
  const [notice, setNotice] = createSignal<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(600);
  const phone = createMediaQuery(PHONE);
  const rowHeight = () => (phone() ? ROW_HEIGHT.card : ROW_HEIGHT.row);

  let generation = 0;
  /** Changes that arrive while a first page is on its way, replayed onto it. */
  let heldChanges: TaskChange[] | null = null;
  let scroller: HTMLDivElement | undefined;

  const rowOf = (id: string) => app.store.state.byId[id];

  async function loadFirst(): Promise<void> {
    const gen = ++generation;
    const f = untrack(filters);
    heldChanges = [];
    setLoading(true);
    setLoadError('');
    try {
      await app.live.ready;
      const res = await api.task.list.query(listInput(f, null, PAGE));
      if (gen !== generation) return;
      setRebuilding(res.rebuilding === true);
      app.store.applySnapshot(res.items);
      const pageIds = new Set(res.items.map((i) => i.id));
      let next = appendPage({ ids: [], total: 0, complete: false }, [...pageIds], res.total, res.nextCursor === null);
      for (const change of heldChanges) {
        const placed = placeRow(next, change, rowOf, f);
        // The page already counted the rows it holds; only newcomers change the total.
        next = pageIds.has(change.row.id) ? { ...placed, total: next.total } : placed;
      }
      setWin(next);
      setCursor(res.nextCursor);
      setLoaded(true);
      scroller?.scrollTo({ top: 0 });
    } catch (err) {
      if (gen === generation) setLoadError(report(err).message);
    } finally {
      if (gen === generation) {
        heldChanges = null;
        setLoading(false);
      }
    }
  }

  async function loadMore(): Promise<void> {
    const after = cursor();
    if (!after || loading()) return;
    const gen = generation;
    const f = filters();
    setLoading(true);
    try {
      const res = await api.task.list.query(listInput(f, after, PAGE));
      if (gen !== generation) return;
      app.store.applySnapshot(res.items);
      setWin((w) => appendPage(w, res.items.map((i) => i.id), res.total, res.nextCursor === null));
      setCursor(res.nextCursor);
    } catch (err) {
      if (gen === generation) setLoadError(report(err).message);
    } finally {
      if (gen === generation) setLoading(false);
    }
  }

  // A new filter or sort: start over from its first page.
  createEffect(
    on(filters, () => {
      setSelected(new Set<string>());
      setBulk(null);
      void loadFirst();
    }),
  );

  onMount(() => {
    const offChange = app.store.onChange((change) => {
      // Snapshots (pages) place themselves; events (and rows fetched because of one) move rows.
      if (!change.event) return;
      if (heldChanges) {
        heldChanges.push(change);
        return;
      }
      setWin((w) => placeRow(w, change, rowOf, filters()));
    });
    const offInterest = app.store.addInterest((e) => couldShow(e, filters(), win().complete));
    let observer: ResizeObserver | undefined;
    if (scroller) {
      const el = scroller;
      setViewport(el.clientHeight || 600);
      observer = new ResizeObserver(() => setViewport(el.clientHeight));
      observer.observe(el);
    }
    onCleanup(() => {
      offChange();
      offInterest();
      observer?.disconnect();
    });
  });

  const count = () => win().ids.length;
  const range = createMemo(() => visibleRange(scrollTop(), viewport(), rowHeight(), count()), undefined, {
    equals: (a, b) => a.start === b.start && a.end === b.end,
  });
  const visibleIds = createMemo(() => win().ids.slice(range().start, range().end));

  createEffect(() => {
    if (loaded() && cursor() && !loading() && !loadError() && nearEnd(range(), count())) void loadMore();
  });

  let frame = 0;
  function onScroll(): void {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (scroller) setScrollTop(scroller.scrollTop);
    });
  }
  onCleanup(() => cancelAnimationFrame(frame));

  function setFilters(next: TaskFilters): void {
    setParams(filtersToQuery(next), { replace: true });
  }

  function select(id: string, on: boolean): void {
    const next = new Set(selected());
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }
  const allSelected = () => count() > 0 && win().ids.every((id) => selected().has(id));
  const selectedIds = () => [...selected()];

  function markBusy(id: string, on: boolean): void {
    const next = new Set(busyIds());
    if (on) next.add(id);
    else next.delete(id);
    setBusyIds(next);
  }

  async function single(id: string, op: 'cancel' | 'retry'): Promise<void> {
    markBusy(id, true);
    setNotice(null);
    try {
      if (op === 'cancel') await api.task.cancel.mutate({ id });
      else await api.task.retry.mutate({ id });
      setNotice({ kind: 'info', text: op === 'cancel' ? t.tasks.cancelled : t.tasks.retried });
    } catch (err) {
      setNotice({ kind: 'error', text: report(err).message });
    } finally {
      markBusy(id, false);
    }
  }

  async function many(op: BulkOp): Promise<void> {
    const ids = selectedIds();
    if (ids.length === 0) return;
    setConfirmingRemove(false);
    setBulkBusy(true);
    setBulk(null);
    setNotice(null);
    const verb = verbOf(op);
    const out: BulkReport = { verb, changed: 0, skipped: [] };
    try {
      for (const part of chunk(ids, MANY_MAX)) {
        const res = await BULK[op].mutate({ ids: part });
        out.changed += res.changed.length;
        for (const s of res.skipped) {
          out.skipped.push({ id: s.id, title: rowOf(s.id)?.title ?? s.id, reason: skipReason(s, op) });
        }
      }
      setSelected(new Set<string>());
    } catch (err) {
      setNotice({ kind: 'error', text: report(err).message });
    } finally {
      setBulk(out.changed > 0 || out.skipped.length > 0 ? out : null);
      setBulkBusy(false);
    }
  }

  return (
    <section class="page tasks-page" aria-labelledby="tasks-title">
      <div class="page-head">
        <h1 id="tasks-title">{t.tasks.title}</h1>
        <p class="muted" data-testid="task-total" data-total={win().total} data-loaded={count()}>
          {t.tasks.total(count(), win().total)}
        </p>
      </div>
      <TaskFilterBar filters={filters()} onChange={setFilters} />

      <div class="bulk-bar" role="toolbar" aria-label={t.tasks.selected(selected().size)}>
        <label class="check">
          <input
            type="checkbox"
            data-testid="select-all"
            checked={allSelected()}
            disabled={count() === 0}
            onChange={(e) => setSelected(e.currentTarget.checked ? new Set(win().ids) : new Set<string>())}
          />
          {t.tasks.selectAll}
        </label>
        <span class="muted" data-testid="selected-count" data-count={selected().size}>
          {t.tasks.selected(selected().size)}
        </span>
        <button type="button" class="secondary" data-testid="bulk-cancel" disabled={selected().size === 0 || bulkBusy()} onClick={() => void many('cancel')}>
          {t.tasks.cancelSelected}
        </button>
        <button type="button" class="secondary" data-testid="bulk-retry" disabled={selected().size === 0 || bulkBusy()} onClick={() => void many('retry')}>
          {t.tasks.retrySelected}
        </button>
        <button
          type="button"
          class="secondary danger"
          data-testid="bulk-remove"
          disabled={selected().size === 0 || bulkBusy()}
          aria-expanded={confirmingRemove()}
          onClick={() => setConfirmingRemove(true)}
        >
          {t.tasks.removeSelected}
        </button>
        <Show when={selected().size > 0}>
          <button type="button" class="link" onClick={() => setSelected(new Set<string>())}>
            {t.tasks.clearSelection}
          </button>
        </Show>
      </div>

      <Show when={confirmingRemove() && selected().size > 0}>
        <div class="alert warn" role="alertdialog" aria-labelledby="confirm-remove-text" data-testid="confirm-remove">
          <p id="confirm-remove-text">{t.tasks.confirmRemove(selected().size)}</p>
          <button type="button" class="danger" data-testid="confirm-remove-yes" disabled={bulkBusy()} onClick={() => void many('remove')}>
            {t.tasks.confirmRemoveYes}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setConfirmingRemove(false)}>
            {t.tasks.confirmRemoveNo}
          </button>
        </div>
      </Show>
      <Show when={bulk()}>
        {(b) => (
          <div class="alert info" role="status" data-testid="bulk-result" data-changed={b().changed} data-skipped={b().skipped.length}>
            <p>{t.tasks.bulkResult(b().verb, b().changed, b().skipped.length)}</p>
            <Show when={b().skipped.length > 0}>
              <ul class="small">
                <For each={b().skipped.slice(0, 10)}>{(s) => <li>
                      <PartsText parts={t.tasks.skippedReason(s.title, s.reason)} />
                    </li>}</For>
                <Show when={b().skipped.length > 10}>
                  <li>…</li>
                </Show>
              </ul>
            </Show>
            <button type="button" class="link" onClick={() => setBulk(null)}>
              {t.app.close}
            </button>
          </div>
        )}
      </Show>
      <Show when={notice()}>
        {(n) => (
          <p class={`alert ${n().kind}`} role={n().kind === 'error' ? 'alert' : 'status'} data-testid="notice">
            {n().text}
          </p>
        )}
      </Show>
      <Show when={rebuilding()}>
        <p class="alert info" role="status" data-testid="list-rebuilding">
          {t.tasks.rebuilding}
        </p>
      </Show>
      <Show when={loadError()}>
        <p class="alert error" role="alert" data-testid="list-error">
          {loadError()}{' '}
          <button type="button" class="link" onClick={() => (loaded() ? void loadMore() : void loadFirst())}>
            {t.header.connection.reconnect}
          </button>
        </p>
      </Show>

      <div class="tgrid" role="table" aria-labelledby="tasks-title" aria-rowcount={win().total + 1} aria-busy={loading()}>
        <div class="thead" role="row" aria-rowindex={1}>
          <div role="columnheader" class="c-select">
            <span class="sr-only">{t.tasks.colSelect}</span>
          </div>
          <div role="columnheader" class="c-title">{t.tasks.colTitle}</div>
          <div role="columnheader" class="c-account">{t.tasks.colAccount}</div>
          <div role="columnheader" class="c-status">{t.tasks.colStatus}</div>
          <div role="columnheader" class="c-progress">{t.tasks.colProgress}</div>
          <div role="columnheader" class="c-attempt">{t.tasks.colAttempt}</div>
          <div role="columnheader" class="c-created">{t.tasks.colCreated}</div>
          <div role="columnheader" class="c-result">{t.tasks.colResult}</div>
          <div role="columnheader" class="c-actions">{t.tasks.colActions}</div>
        </div>
        <div class="vscroll" ref={scroller} onScroll={onScroll} data-testid="task-scroller" role="rowgroup">
          <div class="vspace" style={{ height: `${count() * rowHeight()}px` }}>
            <For each={visibleIds()}>
              {(id, i) => (
                <TaskRow
                  id={id}
                  index={range().start + i()}
                  height={rowHeight()}
                  selected={selected().has(id)}
                  busy={busyIds().has(id)}
                  onSelect={select}
                  onCancel={(x) => void single(x, 'cancel')}
                  onRetry={(x) => void single(x, 'retry')}
                />
              )}
            </For>
          </div>
          <Show when={loaded() && count() === 0 && !loading()}>
            <p class="empty" data-testid="task-empty">
              {hasFilters(filters()) ? t.tasks.empty : t.tasks.emptyAll}
            </p>
          </Show>
          <Show when={loading()}>
            <p class="loading-more muted" role="status">
              {loaded() ? t.tasks.loadingMore : t.app.loading}
            </p>
          </Show>
        </div>
      </div>
    </section>
  );
}

type BulkOp = 'cancel' | 'retry' | 'remove';

/** The calls behind the bulk buttons; all take `{ ids }` and answer what changed and what was skipped. */
const BULK = { cancel: api.task.cancelMany, retry: api.task.retryMany, remove: api.task.removeMany } satisfies Record<BulkOp, unknown>;

function verbOf(op: BulkOp): string {
  return { cancel: t.tasks.verbCancel, retry: t.tasks.verbRetry, remove: t.tasks.verbRemove }[op];
}

/** Why the server skipped a task, from its code (its English `reason` is never shown). */
function skipReason(s: ManyResult['skipped'][number], op: BulkOp): string {
  if (s.code === 'TASK_PAST_CLICK') return t.tasks.pastClick;
  if (s.code === 'TASK_STATE' || s.status) return wrongState(op, s.status);
  if (s.code === 'NOT_FOUND') return t.api.taskNotFound;
  if (s.code === 'SERVICE_UNAVAILABLE') return t.api.unavailable;
  return t.api.unknown;
}
