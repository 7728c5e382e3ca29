/**
 * Filters and sort of the task list; every change goes to the URL (the page reads it back). On a
 * phone they fold behind one button that says how many are on, so the tasks fill the first screen.
 */
import { For, createSignal, Show, createEffect } from 'solid-js';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { DEFAULT_FILTERS, SORTS, STATUSES, activeFilters, hasFilters, type SortKey, type TaskFilters } from '../lib/filters';

const ID = /^[a-f0-9]{24}$/;

export function TaskFilterBar(props: { filters: TaskFilters; onChange: (next: TaskFilters) => void }) {
  const app = useApp();
  const [batchText, setBatchText] = createSignal(props.filters.batchId);
  const [batchError, setBatchError] = createSignal(false);
  const [open, setOpen] = createSignal(false);
  createEffect(() => setBatchText(props.filters.batchId));

  const update = (patch: Partial<TaskFilters>) => props.onChange({ ...props.filters, ...patch });

  function toggleStatus(status: TaskFilters['status'][number], on: boolean) {
    const set = new Set(props.filters.status);
    if (on) set.add(status);
    else set.delete(status);
    update({ status: STATUSES.filter((s) => set.has(s)) });
  }

  function commitBatch() {
    const value = batchText().trim().toLowerCase();
    if (value !== '' && !ID.test(value)) {
      setBatchError(true);
      return;
    }
    setBatchError(false);
    if (value !== props.filters.batchId) update({ batchId: value });
  }

  return (
    <>
      <button
        type="button"
        class="secondary filters-toggle"
        data-testid="filters-toggle"
        aria-expanded={open()}
        aria-controls="task-filters"
        onClick={() => setOpen(!open())}
      >
        {t.tasks.filtersOn(activeFilters(props.filters))}
      </button>
      <form id="task-filters" class="filters" classList={{ folded: !open() }} aria-label={t.tasks.filters} onSubmit={(e) => e.preventDefault()} data-testid="task-filters">
        <fieldset class="status-filter">
          <legend>{t.tasks.status}</legend>
          <For each={STATUSES}>
            {(status) => (
              <label class={`chip-check badge-${status}`}>
                <input
                  type="checkbox"
                  data-testid={`filter-status-${status}`}
                  checked={props.filters.status.includes(status)}
                  onChange={(e) => toggleStatus(status, e.currentTarget.checked)}
                />
                {t.status[status]}
              </label>
            )}
          </For>
        </fieldset>
        <div class="filter-row">
          <div class="field inline">
            <label for="filter-account">{t.tasks.account}</label>
            <select id="filter-account" data-testid="filter-account" value={props.filters.accountId} onChange={(e) => update({ accountId: e.currentTarget.value })}>
              <option value="">{t.tasks.allAccounts}</option>
              <For each={app.accounts.state.list}>
                {(a) => (
                  <option value={a.id} selected={a.id === props.filters.accountId}>
                    {a.name}
                  </option>
                )}
              </For>
            </select>
          </div>
          <div class="field inline">
            <label for="filter-batch">{t.tasks.batch}</label>
            <input
              id="filter-batch"
              data-testid="filter-batch"
              class="mono"
              size={26}
              placeholder={t.tasks.batchPlaceholder}
              value={batchText()}
              onInput={(e) => setBatchText(e.currentTarget.value)}
              onChange={commitBatch}
              onKeyDown={(e) => {
                if (e.key === 'Enter') commitBatch();
              }}
              aria-invalid={batchError() ? 'true' : undefined}
              aria-describedby={batchError() ? 'filter-batch-error' : undefined}
            />
            <Show when={batchError()}>
              <span class="field-error" id="filter-batch-error">
                {t.tasks.batchInvalid}
              </span>
            </Show>
          </div>
          <div class="field inline">
            <label for="filter-from">{t.tasks.createdFrom}</label>
            <input id="filter-from" data-testid="filter-from" type="date" value={props.filters.createdFrom} onChange={(e) => update({ createdFrom: e.currentTarget.value })} />
          </div>
          <div class="field inline">
            <label for="filter-to">{t.tasks.createdTo}</label>
            <input id="filter-to" data-testid="filter-to" type="date" value={props.filters.createdTo} onChange={(e) => update({ createdTo: e.currentTarget.value })} />
          </div>
          <div class="field inline">
            <label for="sort-key">{t.tasks.sort}</label>
            <select id="sort-key" data-testid="sort-key" value={props.filters.sort} onChange={(e) => update({ sort: e.currentTarget.value as SortKey })}>
              <For each={SORTS}>{(s) => <option value={s}>{t.tasks.sorts[s]}</option>}</For>
            </select>
          </div>
          <div class="field inline">
            <label for="sort-order">{t.tasks.order}</label>
            <select id="sort-order" data-testid="sort-order" value={props.filters.order} onChange={(e) => update({ order: e.currentTarget.value === 'asc' ? 'asc' : 'desc' })}>
              <option value="desc">{t.tasks.desc}</option>
              <option value="asc">{t.tasks.asc}</option>
            </select>
          </div>
          <Show when={hasFilters(props.filters)}>
            <button type="button" class="secondary" data-testid="filter-reset" onClick={() => props.onChange({ ...DEFAULT_FILTERS, sort: props.filters.sort, order: props.filters.order })}>
              {t.tasks.resetFilters}
            </button>
          </Show>
        </div>
      </form>
    </>
  );
}
