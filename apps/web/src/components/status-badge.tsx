import type { Stage, TaskStatus } from '@zpub/shared';
import { t } from '../i18n';

/** A task's status in words; a draft-only task that succeeded says it was saved, not published. */
export function StatusBadge(props: { status: TaskStatus; stage?: Stage; testid?: string }) {
  const text = () => (props.status === 'success' && props.stage === 'drafted' ? t.kind.drafted : t.status[props.status]);
  return (
    <span class={`badge badge-${props.status}`} data-testid={props.testid ?? 'task-status'} data-status={props.status} title={props.status === 'unconfirmed' ? t.statusHint.unconfirmed : undefined}>
      {text()}
    </span>
  );
}
