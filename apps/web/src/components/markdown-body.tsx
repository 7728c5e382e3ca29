/**
 * The Markdown body of the composer. Images pasted, dropped or chosen are uploaded and inserted at
 * the cursor as `![](/assets/<sha256>)`; while one uploads, a placeholder holds its place, so
 * typing on meanwhile moves nothing.
 */
import { createSignal, For, Show } from 'solid-js';
import { t } from '../i18n';
import { isImageFile, uploadImage, uploadMessage } from '../lib/assets';
import { FieldError } from './field-error';

let nextUpload = 0;

/**
 * Image files a paste or drop carries. One that also carries text (a selection copied from Word
 * or a web page comes with a picture of itself) is text: the textarea takes it as usual.
 */
function imagesOf(data: DataTransfer | null): File[] {
  if (!data || data.getData('text/plain') !== '') return [];
  return [...data.files].filter(isImageFile);
}

export function MarkdownBody(props: { value: string; onInput: (value: string) => void; error?: string | undefined }) {
  let area: HTMLTextAreaElement | undefined;
  const [uploading, setUploading] = createSignal(0);
  const [errors, setErrors] = createSignal<string[]>([]);

  /** Replaces `from` with `to` in the body, keeping the person's cursor where it was. */
  function replace(from: string, to: string): void {
    const text = props.value;
    const at = text.indexOf(from);
    if (at < 0) return;
    const caret = area ? [area.selectionStart, area.selectionEnd] : null;
    props.onInput(text.slice(0, at) + to + text.slice(at + from.length));
    if (area && caret && document.activeElement === area) {
      const shift = (p: number) => (p > at ? p + to.length - from.length : p);
      area.setSelectionRange(shift(caret[0] ?? 0), shift(caret[1] ?? 0));
    }
  }

  async function insert(files: File[]): Promise<void> {
    if (files.length === 0) return;
    setErrors([]);
    const marks = files.map(() => `![…](#zpub-uploading-${++nextUpload})`);
    const start = area?.selectionStart ?? props.value.length;
    const end = area?.selectionEnd ?? start;
    const joined = marks.join('\n\n');
    props.onInput(props.value.slice(0, start) + joined + props.value.slice(end));
    area?.setSelectionRange(start + joined.length, start + joined.length);
    setUploading((n) => n + files.length);
    await Promise.all(
      files.map(async (file, i) => {
        const mark = marks[i] ?? '';
        try {
          replace(mark, `![](${await uploadImage(file)})`);
        } catch (err) {
          replace(mark, '');
          setErrors((list) => [...list, uploadMessage(err)]);
        } finally {
          setUploading((n) => n - 1);
        }
      }),
    );
  }

  return (
    <div class="field">
      <div class="label-row">
        <label for="compose-body">{t.compose.body}</label>
        <label class="file-label small">
          {t.compose.insertImage}
          <input
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            multiple
            class="visually-hidden-file"
            data-testid="compose-image-input"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              void insert(files);
            }}
          />
        </label>
      </div>
      <textarea
        id="compose-body"
        ref={area}
        data-testid="compose-body"
        rows={16}
        placeholder={t.compose.bodyPlaceholder}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        onPaste={(e) => {
          const files = imagesOf(e.clipboardData);
          if (files.length === 0) return;
          e.preventDefault();
          void insert(files);
        }}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
        }}
        onDrop={(e) => {
          const files = imagesOf(e.dataTransfer);
          if (files.length === 0) return;
          e.preventDefault();
          void insert(files);
        }}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby="compose-body-hint"
      />
      <p class="muted small" id="compose-body-hint">
        {t.compose.bodyImageHint}
      </p>
      <Show when={uploading() > 0}>
        <p class="muted small" role="status" data-testid="compose-image-status">
          {t.upload.uploading(uploading())}
        </p>
      </Show>
      <Show when={errors().length > 0}>
        <ul class="field-error" role="alert" data-testid="compose-image-error">
          <For each={errors()}>{(msg) => <li>{msg}</li>}</For>
        </ul>
      </Show>
      <FieldError testid="compose-body-error" message={props.error} />
    </div>
  );
}
