import type { TaskError } from '@zpub/shared';
import { Show } from 'solid-js';
import { lang, t } from '../i18n';
import { NoteText, noteIn } from './note-text';

/**
 * A task's error in the reader's language: what kind, what happened (its note) and what to do.
 * An error stored before notes existed has only an English message, which only English shows.
 */
export function TaskErrorNote(props: { error: TaskError; detailed?: boolean }) {
  const advice = () => t.errorCode[props.error.code];
  const hasDetail = () => noteIn(props.error.detail) !== null || (lang === 'en' && props.error.message !== '');
  return (
    <Show
      when={props.detailed}
      fallback={
        <span class="task-error" data-testid="task-error" data-code={props.error.code} title={advice()}>
          {t.errorName[props.error.code]}
          {t.app.colon}
          {advice()}
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
        <Show when={hasDetail()}>
          <p data-testid="task-error-detail">
            {t.detail.whatHappened}
            <NoteText note={props.error.detail} legacy={props.error.message} />
          </p>
        </Show>
        <p>
          {t.detail.whatToDo}
          {advice()}
        </p>
      </div>
    </Show>
  );
}
