/** The Zhihu settings of a task, as `dt`/`dd` pairs for the detail page's facts. */
import type { AccountView, TaskDetail } from '@zpub/shared';
import { Show } from 'solid-js';
import { t } from '../i18n';

export type TaskOptions = Pick<TaskDetail, 'column' | 'cover' | 'statement' | 'commentPermission'>;

export function TaskOptionsFacts(props: { options: TaskOptions; account: AccountView | undefined }) {
  const columnTitle = () => props.account?.columns?.find((c) => c.id === props.options.column)?.title;
  return (
    <>
      <dt>{t.options.column}</dt>
      <dd data-testid="detail-column" data-column={props.options.column ?? ''}>
        <Show when={props.options.column} fallback={<span class="muted">{t.options.noColumn}</span>}>
          {(id) => (
            <>
              {columnTitle() ?? t.options.columnById(id())} <span class="muted small mono">{columnTitle() ? id() : ''}</span>
            </>
          )}
        </Show>
      </dd>
      <dt>{t.options.cover}</dt>
      <dd data-testid="detail-cover" data-cover={props.options.cover ?? ''}>
        <Show when={props.options.cover} fallback={<span class="muted">{t.app.none}</span>}>
          {(src) => <img class="cover-preview" src={src()} alt={t.options.coverPreview} loading="lazy" />}
        </Show>
      </dd>
      <dt>{t.options.statement}</dt>
      <dd data-testid="detail-statement" data-statement={props.options.statement ?? 'none'}>
        {t.options.statements[props.options.statement ?? 'none']}
        <Show when={props.options.statement === undefined}>
          <span class="muted">{t.options.byDefault}</span>
        </Show>
      </dd>
      <dt>{t.options.commentPermission}</dt>
      <dd data-testid="detail-comment" data-comment={props.options.commentPermission ?? 'anyone'}>
        {t.options.comments[props.options.commentPermission ?? 'anyone']}
        <Show when={props.options.commentPermission === undefined}>
          <span class="muted">{t.options.byDefault}</span>
        </Show>
      </dd>
    </>
  );
}
