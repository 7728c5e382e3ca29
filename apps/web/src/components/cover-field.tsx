/** 文章封面: an image address typed in, or an image uploaded from this computer; previewed. */
import { createSignal, Show } from 'solid-js';
import { t } from '../i18n';
import { uploadImage, uploadMessage } from '../lib/assets';
import { FieldError } from './field-error';

export function CoverField(props: { value: string; onChange: (value: string) => void; error?: string | undefined }) {
  const [busy, setBusy] = createSignal(false);
  const [uploadError, setUploadError] = createSignal('');
  const previewable = () => /^(https?:\/\/|\/assets\/[a-f0-9]{64}$)/.test(props.value.trim());

  async function upload(file: File | undefined): Promise<void> {
    if (!file) return;
    setBusy(true);
    setUploadError('');
    try {
      props.onChange(await uploadImage(file));
    } catch (err) {
      setUploadError(uploadMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="field">
      <label for="compose-cover">{t.options.cover}</label>
      <div class="row-inline">
        <input
          id="compose-cover"
          data-testid="compose-cover"
          class="cover-input"
          placeholder={t.options.coverPlaceholder}
          value={props.value}
          onInput={(e) => props.onChange(e.currentTarget.value)}
          aria-invalid={props.error ? 'true' : undefined}
        />
        <label class="file-label small">
          {busy() ? t.upload.uploading(1) : t.options.uploadCover}
          <input
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            class="visually-hidden-file"
            data-testid="compose-cover-upload"
            disabled={busy()}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              void upload(file);
            }}
          />
        </label>
        <Show when={props.value !== ''}>
          <button type="button" class="link small" data-testid="compose-cover-remove" onClick={() => props.onChange('')}>
            {t.options.removeCover}
          </button>
        </Show>
      </div>
      <Show when={previewable()}>
        <img class="cover-preview" data-testid="compose-cover-preview" src={props.value.trim()} alt={t.options.coverPreview} />
      </Show>
      <FieldError testid="compose-cover-error" message={uploadError() || props.error} />
    </div>
  );
}
