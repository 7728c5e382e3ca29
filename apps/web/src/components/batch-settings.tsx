/** The batch's account, priority and schedule, what the check found, and the submit button. */
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { t } from '../i18n';
import type { BatchState } from '../lib/batch-state';
import { AccountSelect } from './account-select';
import { PrioritySelect } from './priority-select';

export function BatchSettings(props: { batch: BatchState }) {
  const b = () => props.batch;
  return (
    <div class="card">
      <AccountSelect id="batch-account" testid="batch-account" label={t.batch.account} value={b().accountId()} onChange={(id) => b().setAccountId(id)} />
      <div class="field-row">
        <PrioritySelect id="batch-priority" label={t.batch.priority} value={b().priority()} onChange={(p) => b().setPriority(p)} />
        <div class="field">
          <label for="batch-schedule">{t.batch.schedule}</label>
          <input
            id="batch-schedule"
            data-testid="batch-schedule"
            type="datetime-local"
            value={b().schedule()}
            onInput={(e) => b().setSchedule(e.currentTarget.value)}
            aria-invalid={b().scheduleBad() ? 'true' : undefined}
          />
          <Show when={b().scheduleBad()}>
            <p class="field-error">{t.compose.scheduleInvalid}</p>
          </Show>
        </div>
      </div>
      <p class="muted" data-testid="batch-summary" data-ok={b().ready().length} data-bad={b().badCount()}>
        {t.batch.summary(b().ready().length, b().badCount())}
      </p>
      <Show when={b().progress()}>
        {(p) => (
          <p class="muted" role="status" data-testid="batch-upload-progress">
            {t.batch.uploadingImages(p().done, p().total)}
          </p>
        )}
      </Show>
      <Show when={b().error()}>
        <p class="alert error" role="alert" data-testid="batch-error">
          {b().error()}
        </p>
      </Show>
      <Show when={b().result()}>
        {(r) => (
          <div class="alert success" role="status" data-testid="batch-result" data-created={r().created} data-rejected={r().rejected} data-batch-id={r().batchId ?? ''}>
            <p>{t.batch.result(r().created, r().rejected)}</p>
            <Show when={r().batchId}>
              {(batchId) => (
                <A href={`/tasks?batch=${batchId()}`} data-testid="batch-view-link">
                  {t.batch.viewBatch}
                </A>
              )}
            </Show>
          </div>
        )}
      </Show>
      <div class="actions">
        <button type="button" class="primary" data-testid="batch-submit" disabled={b().busy() || b().ready().length === 0 || b().scheduleBad()} onClick={() => void b().submit()}>
          {b().busy() ? t.batch.submitting : t.batch.submit(b().ready().length)}
        </button>
        <Show when={b().items().length > 0}>
          <button type="button" class="link" data-testid="batch-clear" onClick={() => b().clear()}>
            {t.batch.clear}
          </button>
        </Show>
      </div>
    </div>
  );
}
