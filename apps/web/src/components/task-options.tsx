/** The Zhihu settings of a task, as `dt`/`dd` pairs for the detail page's facts. */
import type { AccountView, TaskDetail } from '@zpub/shared';
import { Show } from 'solid-js';
import { t } from '../i18n';

export type TaskOptions = Pick<TaskDetail, 'column' | 'cover' | 'statement' | 'commentPermission'>;

/** A setting's name; one left out shows Zhihu's default, marked as such. */
function Defaulted<T extends string>(props: { testid: string; value: T | undefined; fallback: T; names: Record<T, string> }) {
  return (
    <dd data-testid={props.testid} data-value={props.value ?? props.fallback}>
      {props.names[props.value ?? props.fallback]}
      <Show when={props.value === undefined}>
        <span class="muted">{t.options.byDefault}</span>
      </Show>
    </dd>
  );
}

export function TaskOptionsFacts(props: { options: TaskOptions; account: AccountView | undefined }) {
  const columnTitle = () => props.account?.columns?.find((c) => c.id === props.options.column)?.title;
  return (
    <>
      <dt>{t.options.column}</dt>
      <dd data-testid="detail-column" data-value={props.options.column ?? ''}>
        <Show when={props.options.column} fallback={<span class="muted">{t.options.noColumn}</span>}>
          {(id) => (
            <>
              {columnTitle() ?? t.options.columnById(id())} <span class="muted small mono">{columnTitle() ? id() : ''}</span>
            </>
          )}
        </Show>
      </dd>
      <dt>{t.options.cover}</dt>
      <dd data-testid="detail-cover" data-value={props.options.cover ?? ''}>
        <Show when={props.options.cover} fallback={<span class="muted">{t.app.none}</span>}>
          {(src) => <img class="cover-preview" src={src()} alt={t.options.coverPreview} loading="lazy" />}
        </Show>
      </dd>
      <dt>{t.options.statement}</dt>
      <Defaulted testid="detail-statement" value={props.options.statement} fallback="none" names={t.options.statements} />
      <dt>{t.options.commentPermission}</dt>
      <Defaulted testid="detail-comment" value={props.options.commentPermission} fallback="anyone" names={t.options.comments} />
    </>
  );
}
