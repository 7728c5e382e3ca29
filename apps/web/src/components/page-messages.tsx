import { Show } from 'solid-js';

/** A page's last outcome: a notice (announced politely) or an error (announced at once). */
export function PageMessages(props: { notice: string; error: string; testid: string }) {
  return (
    <>
      <Show when={props.notice}>
        <p class="alert success" role="status" data-testid={`${props.testid}-notice`}>
          {props.notice}
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
