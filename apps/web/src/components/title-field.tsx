/** 标题 with its character count against Zhihu's limit. */
import { LIMITS } from '@zpub/shared';
import { t } from '../i18n';
import { charCount } from '../lib/format';
import { FieldError } from './field-error';

export function TitleField(props: { value: string; onInput: (value: string) => void; error?: string | undefined }) {
  const count = () => charCount(props.value.trim());
  return (
    <div class="field">
      <div class="label-row">
        <label for="compose-title">{t.compose.articleTitle}</label>
        <span class="counter" classList={{ over: count() > LIMITS.titleMax }} data-testid="compose-title-count" aria-live="polite">
          {t.compose.counter(count(), LIMITS.titleMax)}
        </span>
      </div>
      <input
        id="compose-title"
        data-testid="compose-title"
        placeholder={t.compose.titlePlaceholder}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error || count() > LIMITS.titleMax ? 'true' : undefined}
        aria-describedby="compose-title-count"
      />
      <FieldError testid="compose-title-error" message={props.error} />
    </div>
  );
}
