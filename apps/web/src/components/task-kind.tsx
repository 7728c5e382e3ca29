/** Marks a task that updates an article in place (更新) or only saves a draft (草稿); a new article needs no mark. */
import type { Stage, TaskView } from '@zpub/shared';
import { Show } from 'solid-js';
import { t } from '../i18n';
import { kindOf } from '../lib/article-update';

export function TaskKindTag(props: { task: Pick<TaskView, 'mode' | 'articleId'> & { stage: Stage } }) {
  const kind = () => kindOf(props.task);
  return (
    <Show when={kind() !== 'publish'}>
      <span class="chip" data-testid="task-kind" data-kind={kind()} title={kind() === 'draft' ? t.kind.draftHint : t.kind.updateHint}>
        {kind() === 'draft' ? t.kind.draft : t.kind.update}
      </span>
    </Show>
  );
}
