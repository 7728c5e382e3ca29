import type { TaskError } from '@zpub/shared';
import { Show } from 'solid-js';
import { t } from '../i18n';

/** A task's error in Chinese: what happened and what to do. The server's text is kept as detail. */
export function TaskErrorNote(props: { error: TaskError; detailed?: boolean }) {
  const advice = () => t.errorCode[props.error.code];
  return (
    <Show
      when={props.detailed}
      fallback={
        <span class="task-error" data-testid="task-error" data-code={props.error.code} title={advice()}>
          {t.errorName[props.error.code]}：{advice()}
        </span>
      }
    >
      <div class="alert error" data-testid="task-error" data-code={props.error.code}>
        <p>
          <strong>{t.errorName[props.error.code]}</strong>
          <Show when={props.error.retryable}>
            <span class="muted"> {t.detail.retryable}</span>
          </Show>
        </p>
        <p>
          {t.detail.whatToDo}
          {advice()}
        </p>
        <Show when={props.error.message}>
          <p class="muted small">
            {t.detail.serverMessage}
            {props.error.message}
          </p>
        </Show>
      </div>
    </Show>
  );
}
