/**
 * One row of the virtual task list; reads its task from the store, so it updates live. On a phone
 * the row is a card (styles.css): title and status, progress, account and time, result and actions.
 */
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { formatTime } from '../lib/datetime';
import { RETRYABLE, cancellable, safeHttpUrl } from '../lib/format';
import { ProgressBar } from './progress-bar';
import { StatusBadge } from './status-badge';
import { TaskKindTag } from './task-kind';
import { TaskErrorNote } from './task-error';

/** Pixels per row: a table row, or a card on a phone. The list places rows by these. */
export const ROW_HEIGHT = { row: 56, card: 132 } as const;

export function TaskRow(props: {
  id: string;
  index: number;
  height: number;
  selected: boolean;
  busy: boolean;
  onSelect: (id: string, on: boolean) => void;
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
}) {
  const app = useApp();
  const row = () => app.store.state.byId[props.id];
  return (
    <Show when={row()}>
      {(task) => (
        <div
          class="trow"
          classList={{ selected: props.selected }}
          role="row"
          aria-rowindex={props.index + 2}
          style={{ transform: `translateY(${props.index * props.height}px)`, height: `${props.height}px` }}
          data-testid="task-row"
          data-task-id={task().id}
          data-status={task().status}
        >
          <div role="cell" class="c-select">
            <input
              type="checkbox"
              data-testid="task-select"
              aria-label={t.tasks.selectRow(task().title)}
              checked={props.selected}
              onChange={(e) => props.onSelect(props.id, e.currentTarget.checked)}
            />
          </div>
          <div role="cell" class="c-title">
            <TaskKindTag task={task()} />
            <A href={`/tasks/${task().id}`} data-testid="task-title" title={task().title} translate="no">
              {task().title}
            </A>
            <Show when={task().scheduledAt && task().status === 'pending'}>
              <span class="muted small block">{t.tasks.scheduledFor(formatTime(task().scheduledAt))}</span>
            </Show>
          </div>
          <div role="cell" class="c-account" title={app.accounts.nameOf(task().accountId) ?? ''} translate={app.accounts.nameOf(task().accountId) ? 'no' : undefined}>
            {app.accounts.nameOf(task().accountId) ?? t.app.unknownAccount}
          </div>
          <div role="cell" class="c-status">
            <StatusBadge status={task().status} stage={task().stage} />
          </div>
          <div role="cell" class="c-progress">
            <ProgressBar progress={task().progress} stage={task().stage} status={task().status} label={t.tasks.progressOf(task().title)} />
          </div>
          <div role="cell" class="c-attempt" data-testid="task-attempt">
            {task().attempt}
          </div>
          <div role="cell" class="c-created">{formatTime(task().createdAt)}</div>
          <div role="cell" class="c-result">
            <Show
              when={safeHttpUrl(task().result?.url)}
              fallback={
                <Show when={task().error}>{(error) => <TaskErrorNote error={error()} />}</Show>
              }
            >
              {(url) => (
                <a href={url()} target="_blank" rel="noopener noreferrer" data-testid="result-link">
                  {t.tasks.openArticle}
                </a>
              )}
            </Show>
          </div>
          <div role="cell" class="c-actions">
            <Show when={cancellable(task())}>
              <button type="button" class="small secondary" data-testid="task-cancel" disabled={props.busy} onClick={() => props.onCancel(props.id)}>
                {t.tasks.cancel}
              </button>
            </Show>
            <Show when={RETRYABLE.includes(task().status)}>
              <button type="button" class="small secondary" data-testid="task-retry" disabled={props.busy} onClick={() => props.onRetry(props.id)}>
                {t.tasks.retry}
              </button>
            </Show>
          </div>
        </div>
      )}
    </Show>
  );
}
