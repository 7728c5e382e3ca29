/**
 * 发布: one article with its Zhihu settings, checked with the same rules as the server, previewed
 * as Zhihu will get it. Images pasted into the body are uploaded at once (markdown-body.tsx).
 * `?update=<taskId>` starts from a succeeded task to update its Zhihu article in place (更新文章);
 * either way it can save a draft only.
 */
import { checkArticle, type Priority } from '@zpub/shared';
import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { AccountSelect } from '../components/account-select';
import { MarkdownBody } from '../components/markdown-body';
import { MarkdownPreview } from '../components/markdown-preview';
import { PrioritySchedule } from '../components/priority-schedule';
import { TitleField } from '../components/title-field';
import { TopicsField } from '../components/topics-field';
import { ZhihuOptionsFields } from '../components/zhihu-options-fields';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { localDateTimeToIso } from '../lib/datetime';
import { report } from '../lib/session';
import { api } from '../lib/trpc';
import { updateSourceOf, type UpdateSource } from '../lib/article-update';
import { DEFAULT_OPTIONS, optionsInput, type OptionsForm } from '../lib/zhihu-options-form';

const LAST_ACCOUNT = 'zpub.lastAccount';

export function Compose() {
  const app = useApp();
  const [accountId, setAccountId] = createSignal(localStorage.getItem(LAST_ACCOUNT) ?? '');
  const [title, setTitle] = createSignal('');
  const [content, setContent] = createSignal('');
  const [topics, setTopics] = createSignal<string[]>([]);
  const [options, setOptions] = createSignal<OptionsForm>(DEFAULT_OPTIONS);
  const [priority, setPriority] = createSignal<Priority>('normal');
  const [schedule, setSchedule] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [created, setCreated] = createSignal<{ taskId: string; note: string } | null>(null);
  const [params, setParams] = useSearchParams<{ update?: string }>();
  const [update, setUpdate] = createSignal<UpdateSource | null>(null);
  const [draftOnly, setDraftOnly] = createSignal(false);

  // 更新文章: the form starts as the task was, pointed at its article and locked to its account.
  createEffect(
    on(
      () => params.update,
      (taskId) => {
        setUpdate(null);
        if (!taskId) return;
        api.task.byId.query({ id: taskId }).then(
          (detail) => {
            const source = updateSourceOf(detail);
            if (params.update !== taskId) return;
            if (!source) return setError(t.compose.updateUnavailable);
            setUpdate(source);
            setAccountId(source.accountId);
            setTitle(source.title);
            setContent(source.content);
            setTopics(source.topics);
            setOptions(source.options);
            setDraftOnly(source.draft);
          },
          (err: unknown) => setError(report(err).message),
        );
      },
    ),
  );

  // Keep the chosen account valid: the remembered one if it still exists, else the first.
  createEffect(() => {
    const list = app.accounts.state.list;
    if (!app.accounts.state.loaded) return;
    if (!list.some((a) => a.id === accountId())) setAccountId(list[0]?.id ?? '');
  });

  const fieldError = (name: string) => fields()[name];
  const setFieldError = (name: string, message: string | undefined) => {
    const next = { ...fields() };
    if (message === undefined) delete next[name];
    else next[name] = message;
    setFields(next);
  };
  const account = () => app.accounts.state.list.find((a) => a.id === accountId());

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
    const target = update();
    const article = {
      title: title(),
      content: content(),
      topics: topics(),
      priority: priority(),
      ...(scheduledAt ? { scheduledAt } : {}),
      ...optionsInput(options(), target !== null),
      ...(target ? { articleId: target.articleId } : {}),
      ...(draftOnly() ? { mode: 'draft' as const } : {}),
    };
    const check = checkArticle(article);
    if (!check.ok) {
      // The message starts with the field at fault ("cover: ...").
      const field = check.message.split(':')[0] ?? 'content';
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
      setCreated({ taskId: res.taskId, note: draftOnly() ? t.compose.draftSubmitted : target ? t.compose.updateSubmitted : t.compose.published });
      setTitle('');
      setContent('');
      setTopics([]);
      setSchedule('');
      setOptions({ ...DEFAULT_OPTIONS, column: options().column });
      setDraftOnly(false);
      if (target) setParams({ update: undefined });
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
          <Show when={params.update}>
            <p class="alert info" role="status" data-testid="compose-update" data-article-id={update()?.articleId ?? ''}>
              {update() ? t.compose.updating : t.compose.updateLoading}{' '}
              <A href="/compose" data-testid="compose-cancel-update">
                {t.compose.cancelUpdate}
              </A>
            </p>
          </Show>
          <AccountSelect
            id="compose-account"
            testid="compose-account"
            disabled={params.update !== undefined}
            value={accountId()}
            onChange={(id) => {
              setAccountId(id);
              // A column belongs to one account.
              setOptions({ ...options(), column: '' });
            }}
            error={fieldError('accountId')}
            label={t.compose.account}
          />

          <TitleField value={title()} onInput={setTitle} error={fieldError('title')} />

          <MarkdownBody value={content()} onInput={setContent} error={fieldError('content')} />
          <TopicsField topics={topics()} onChange={setTopics} error={fieldError('topics')} onError={(m) => setFieldError('topics', m)} />
          <ZhihuOptionsFields account={account()} value={options()} onChange={(patch) => setOptions({ ...options(), ...patch })} errors={fields()} />

          <div class="field">
            <label class="check">
              <input type="checkbox" data-testid="compose-draft" checked={draftOnly()} onChange={(e) => setDraftOnly(e.currentTarget.checked)} /> {t.compose.draftOnly}
            </label>
            <span class="muted small">{t.compose.draftOnlyHint}</span>
          </div>

          <PrioritySchedule priority={priority()} onPriority={setPriority} schedule={schedule()} onSchedule={setSchedule} error={fieldError('scheduledAt')} />

          <Show when={error()}>
            <p class="alert error" role="alert" data-testid="compose-error">
              {error()}
            </p>
          </Show>
          <Show when={created()}>
            {(done) => (
              <p class="alert success" role="status" data-testid="compose-result" data-task-id={done().taskId}>
                {done().note}{' '}
                <A href={`/tasks/${done().taskId}`} data-testid="compose-task-link">
                  {t.compose.viewTask}
                </A>
              </p>
            )}
          </Show>
          <button type="submit" class="primary" data-testid="compose-publish" disabled={busy() || app.accounts.state.list.length === 0 || (params.update !== undefined && !update())}>
            {busy() ? t.compose.publishing : draftOnly() ? t.compose.saveDraft : update() ? t.compose.update : t.compose.publish}
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
