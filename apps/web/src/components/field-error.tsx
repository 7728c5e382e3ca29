/** What is wrong with one field, shown under it when there is something. */
import { Show } from 'solid-js';

export function FieldError(props: { testid?: string; message: string | undefined }) {
  return (
    <Show when={props.message}>
      <p class="field-error" data-testid={props.testid}>
        {props.message}
      </p>
    </Show>
  );
}
