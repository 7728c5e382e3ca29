/** 话题: up to LIMITS.topicsMax chips, added with Enter, a comma or the button. */
import { LIMITS } from '@zpub/shared';
import { createSignal, For, Show } from 'solid-js';
import { t } from '../i18n';
import { charCount } from '../lib/format';
import { FieldError } from './field-error';

export function TopicsField(props: { topics: string[]; onChange: (topics: string[]) => void; error?: string | undefined; onError: (message: string | undefined) => void }) {
  const [text, setText] = createSignal('');

  function add(): void {
    const value = text().trim();
    if (value === '') return;
    if (props.topics.length >= LIMITS.topicsMax) props.onError(t.compose.tooManyTopics(LIMITS.topicsMax));
    else if (charCount(value) > LIMITS.topicMax) props.onError(t.compose.topicTooLong(LIMITS.topicMax));
    else if (props.topics.includes(value)) props.onError(t.compose.topicDuplicate);
    else {
      props.onError(undefined);
      props.onChange([...props.topics, value]);
      setText('');
    }
  }

  return (
    <div class="field">
      <label for="compose-topic">
        {t.compose.topics} <span class="muted small">{t.compose.topicsHint(LIMITS.topicsMax)}</span>
      </label>
      <div class="chips" data-testid="compose-topics">
        <For each={props.topics}>
          {(topic) => (
            <span class="chip" data-testid="compose-topic">
              {topic}
              <button
                type="button"
                class="chip-x"
                aria-label={t.compose.removeTopic(topic)}
                data-testid="compose-topic-remove"
                onClick={() => props.onChange(props.topics.filter((x) => x !== topic))}
              >
                ×
              </button>
            </span>
          )}
        </For>
        <Show when={props.topics.length < LIMITS.topicsMax}>
          <input
            id="compose-topic"
            data-testid="compose-topic-input"
            class="chip-input"
            placeholder={t.compose.topicPlaceholder}
            value={text()}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ',' || e.key === '，') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" class="small secondary" data-testid="compose-topic-add" onClick={add}>
            {t.compose.addTopic}
          </button>
        </Show>
      </div>
      <FieldError testid="compose-topics-error" message={props.error} />
    </div>
  );
}
