import type { Parts } from '@zpub/shared';
import { Show } from 'solid-js';
import { PartsText } from './note-text';

/** A page's last outcome: a notice (announced politely) or an error (announced at once). */
export function PageMessages(props: { notice: Parts | string; error: string; testid: string }) {
  return (
    <>
      <Show when={props.notice}>
        <p class="alert success" role="status" data-testid={`${props.testid}-notice`}>
          <PartsText parts={props.notice} />
        </p>
      </Show>
      <Show when={props.error}>
        <p class="alert error" role="alert" data-testid={`${props.testid}-error`}>
          {props.error}
        </p>
      </Show>
    </>
  );
}
