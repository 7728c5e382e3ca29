/**
 * The sanitized preview of an article. This is the one place the app sets innerHTML, and only
 * with what renderPreview returns (Markdown rendered, then DOMPurify with an allowlist).
 */
import { createEffect, createSignal, on, onCleanup, Show } from 'solid-js';
import { t } from '../i18n';
import { renderPreview } from '../lib/preview';

export function MarkdownPreview(props: { title: string; markdown: string; delayMs?: number }) {
  const [html, setHtml] = createSignal<string | null>(null);
  let seq = 0;
  createEffect(
    on(
      () => [props.title, props.markdown] as const,
      ([title, markdown]) => {
        const mine = ++seq;
        const timer = setTimeout(() => {
          renderPreview(title, markdown).then(
            (out) => {
              if (mine === seq) setHtml(out);
            },
            () => {
              if (mine === seq) setHtml('');
            },
          );
        }, props.delayMs ?? 0);
        onCleanup(() => clearTimeout(timer));
      },
    ),
  );
  return (
    <Show when={html() !== null} fallback={<p class="muted">{t.compose.previewLoading}</p>}>
      <div class="preview zhihu" data-testid="preview" translate="no" innerHTML={html() ?? ''} />
    </Show>
  );
}
