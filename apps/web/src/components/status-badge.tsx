import type { TaskStatus } from '@zpub/shared';
import { t } from '../i18n';

export function StatusBadge(props: { status: TaskStatus; testid?: string }) {
  return (
    <span class={`badge badge-${props.status}`} data-testid={props.testid ?? 'task-status'} data-status={props.status} title={props.status === 'unconfirmed' ? t.statusHint.unconfirmed : undefined}>
      {t.status[props.status]}
    </span>
  );
}
