/** 发布: one article, checked with the same rules as the server, previewed as Zhihu will get it. */
import { checkArticle, LIMITS, type Priority, type RejectionCode } from '@zpub/shared';
import { A } from '@solidjs/router';
import { createEffect, createSignal, For, Show } from 'solid-js';
import { AccountSelect } from '../components/account-select';
import { MarkdownPreview } from '../components/markdown-preview';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { localDateTimeToIso } from '../lib/datetime';
import { charCount } from '../lib/format';
import { report } from '../lib/session';
import { api } from '../lib/trpc';

const FIELD_OF: Partial<Record<RejectionCode, string>> = {
  TITLE_REQUIRED: 'title',
  TITLE_TOO_LONG: 'title',
  CONTENT_REQUIRED: 'content',
  CONTENT_TOO_LARGE: 'content',
  TOO_MANY_TOPICS: 'topics',
  INVALID_TOPIC: 'topics',
  INVALID_PRIORITY: 'priority',
  INVALID_SCHEDULE: 'scheduledAt',
};

const LAST_ACCOUNT = 'zpub.lastAccount';

export function Compose() {
  const app = useApp();
  const [accountId, setAccountId] = createSignal(localStorage.getItem(LAST_ACCOUNT) ?? '');
  const [title, setTitle] = createSignal('');
  const [content, setContent] = createSignal('');
  const [topics, setTopics] = createSignal<string[]>([]);
  const [topicText, setTopicText] = createSignal('');
  const [priority, setPriority] = createSignal<Priority>('normal');
  const [schedule, setSchedule] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [created, setCreated] = createSignal<string | null>(null);

  // Keep the chosen account valid: the remembered one if it still exists, else the first.
  createEffect(() => {
    const list = app.accounts.state.list;
    if (!app.accounts.state.loaded) return;
    if (!list.some((a) => a.id === accountId())) setAccountId(list[0]?.id ?? '');
  });

  const titleCount = () => charCount(title().trim());
  const fieldError = (name: string) => fields()[name];

  function addTopic(): void {
    const value = topicText().trim();
    if (value === '') return;
    const next = { ...fields() };
    delete next.topics;
    if (topics().length >= LIMITS.topicsMax) next.topics = t.compose.tooManyTopics(LIMITS.topicsMax);
    else if (charCount(value) > LIMITS.topicMax) next.topics = t.compose.topicTooLong(LIMITS.topicMax);
    else if (topics().includes(value)) next.topics = t.compose.topicDuplicate;
    else {
      setTopics([...topics(), value]);
      setTopicText('');
    }
    setFields(next);
  }

  async function publish(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    setError('');
    setCreated(null);
    const problems: Record<string, string> = {};
    if (!accountId()) problems.accountId = t.compose.accountRequired;
    let scheduledAt: string | undefined;
    if (schedule() !== '') {
      const iso = localDateTimeToIso(schedule());
      if (!iso) problems.scheduledAt = t.compose.scheduleInvalid;
      else if (Date.parse(iso) < Date.now()) problems.scheduledAt = t.compose.schedulePast;
      else scheduledAt = iso;
    }
    const article = { title: title(), content: content(), topics: topics(), priority: priority(), ...(scheduledAt ? { scheduledAt } : {}) };
    const check = checkArticle(article);
    if (!check.ok) {
      const field = FIELD_OF[check.code] ?? 'content';
      problems[field] ??= t.rejection[check.code];
    }
    setFields(problems);
    if (Object.keys(problems).length > 0 || !check.ok) return;
    setBusy(true);
    try {
      const res = await api.task.create.mutate({ accountId: accountId(), ...check.article });
      localStorage.setItem(LAST_ACCOUNT, accountId());
      // The created event brings the row; asking once more costs little and covers a slow feed.
      app.store.ensure(res.taskId);
      setCreated(res.taskId);
      setTitle('');
      setContent('');
      setTopics([]);
      setSchedule('');
    } catch (err) {
      const p = report(err);
      setFields(p.fields);
      setError(p.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page compose-page" aria-labelledby="compose-title-h">
      <h1 id="compose-title-h">{t.compose.title}</h1>
      <div class="compose-grid">
        <form class="card" onSubmit={(e) => void publish(e)} novalidate data-testid="compose-form">
          <AccountSelect id="compose-account" testid="compose-account" value={accountId()} onChange={setAccountId} error={fieldError('accountId')} label={t.compose.account} />

          <div class="field">
            <div class="label-row">
              <label for="compose-title">{t.compose.articleTitle}</label>
              <span
                class="counter"
                classList={{ over: titleCount() > LIMITS.titleMax }}
                data-testid="compose-title-count"
                aria-live="polite"
              >
                {t.compose.counter(titleCount(), LIMITS.titleMax)}
              </span>
            </div>
            <input
              id="compose-title"
              data-testid="compose-title"
              placeholder={t.compose.titlePlaceholder}
              value={title()}
              onInput={(e) => setTitle(e.currentTarget.value)}
              aria-invalid={fieldError('title') || titleCount() > LIMITS.titleMax ? 'true' : undefined}
              aria-describedby="compose-title-count"
            />
            <Show when={fieldError('title')}>
              <p class="field-error" data-testid="compose-title-error">
                {fieldError('title')}
              </p>
            </Show>
          </div>

          <div class="field">
            <label for="compose-body">{t.compose.body}</label>
            <textarea
              id="compose-body"
              data-testid="compose-body"
              rows={16}
              placeholder={t.compose.bodyPlaceholder}
              value={content()}
              onInput={(e) => setContent(e.currentTarget.value)}
              aria-invalid={fieldError('content') ? 'true' : undefined}
            />
            <Show when={fieldError('content')}>
              <p class="field-error" data-testid="compose-body-error">
                {fieldError('content')}
              </p>
            </Show>
          </div>

          <div class="field">
            <label for="compose-topic">
              {t.compose.topics} <span class="muted small">{t.compose.topicsHint(LIMITS.topicsMax)}</span>
            </label>
            <div class="chips" data-testid="compose-topics">
              <For each={topics()}>
                {(topic) => (
                  <span class="chip" data-testid="compose-topic">
                    {topic}
                    <button
                      type="button"
                      class="chip-x"
                      aria-label={t.compose.removeTopic(topic)}
                      data-testid="compose-topic-remove"
                      onClick={() => setTopics(topics().filter((x) => x !== topic))}
                    >
                      ×
                    </button>
                  </span>
                )}
              </For>
              <Show when={topics().length < LIMITS.topicsMax}>
                <input
                  id="compose-topic"
                  data-testid="compose-topic-input"
                  class="chip-input"
                  placeholder={t.compose.topicPlaceholder}
                  value={topicText()}
                  onInput={(e) => setTopicText(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ',' || e.key === '，') {
                      e.preventDefault();
                      addTopic();
                    }
                  }}
                />
                <button type="button" class="small secondary" data-testid="compose-topic-add" onClick={addTopic}>
                  {t.compose.addTopic}
                </button>
              </Show>
            </div>
            <Show when={fieldError('topics')}>
              <p class="field-error" data-testid="compose-topics-error">
                {fieldError('topics')}
              </p>
            </Show>
          </div>

          <div class="field-row">
            <div class="field">
              <label for="compose-priority">{t.compose.priority}</label>
              <select id="compose-priority" data-testid="compose-priority" value={priority()} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
                <option value="high">{t.priority.high}</option>
                <option value="normal">{t.priority.normal}</option>
                <option value="low">{t.priority.low}</option>
              </select>
            </div>
            <div class="field">
              <label for="compose-schedule">{t.compose.schedule}</label>
              <div class="row-inline">
                <input
                  id="compose-schedule"
                  data-testid="compose-schedule"
                  type="datetime-local"
                  value={schedule()}
                  onInput={(e) => setSchedule(e.currentTarget.value)}
                  aria-invalid={fieldError('scheduledAt') ? 'true' : undefined}
                  aria-describedby="compose-schedule-hint"
                />
                <Show when={schedule() !== ''}>
                  <button type="button" class="link" onClick={() => setSchedule('')}>
                    {t.compose.clearSchedule}
                  </button>
                </Show>
              </div>
              <p class="muted small" id="compose-schedule-hint">
                {t.compose.scheduleHint}
              </p>
              <Show when={fieldError('scheduledAt')}>
                <p class="field-error" data-testid="compose-schedule-error">
                  {fieldError('scheduledAt')}
                </p>
              </Show>
            </div>
          </div>

          <Show when={error()}>
            <p class="alert error" role="alert" data-testid="compose-error">
              {error()}
            </p>
          </Show>
          <Show when={created()}>
            {(taskId) => (
              <p class="alert success" role="status" data-testid="compose-result" data-task-id={taskId()}>
                {t.compose.published}{' '}
                <A href={`/tasks/${taskId()}`} data-testid="compose-task-link">
                  {t.compose.viewTask}
                </A>
              </p>
            )}
          </Show>
          <button type="submit" class="primary" data-testid="compose-publish" disabled={busy() || app.accounts.state.list.length === 0}>
            {busy() ? t.compose.publishing : t.compose.publish}
          </button>
        </form>

        <div class="card preview-card" aria-labelledby="compose-preview-h">
          <h2 id="compose-preview-h">{t.compose.preview}</h2>
          <Show when={title().trim() !== '' || content().trim() !== ''} fallback={<p class="muted">{t.compose.previewEmpty}</p>}>
            <MarkdownPreview title={title()} markdown={content()} delayMs={200} />
          </Show>
        </div>
      </div>
    </section>
  );
}
