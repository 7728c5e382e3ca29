/**
 * 任务详情: one task, live. The row comes from the store (events keep it current); the timeline
 * is the server's list of events plus every event that arrives while the page is open.
 */
import { detailToView, type TaskEvent, type TaskView } from '@zpub/shared';
import { A, useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { MarkdownPreview } from '../components/markdown-preview';
import { Data, NoteText, PartsText, noteIn } from '../components/note-text';
import { ProgressBar } from '../components/progress-bar';
import { StatusBadge } from '../components/status-badge';
import { TaskErrorNote } from '../components/task-error';
import { TaskKindTag } from '../components/task-kind';
import { TaskOptionsFacts, type TaskOptions } from '../components/task-options';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { formatTime, isoToLocalDateTime, localDateTimeToIso } from '../lib/datetime';
import { errorCode } from '../lib/errors';
import { kindOf } from '../lib/article-update';
import { CANCELLABLE, RETRYABLE, cancellable, safeHttpUrl } from '../lib/format';
import { report } from '../lib/session';
import { groupByAttempt, mergeEvents } from '../lib/timeline';
import { api } from '../lib/trpc';

export function TaskDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const id = () => params.id;
  const task = () => app.store.state.byId[id()];
  const [content, setContent] = createSignal<string | null>(null);
  // Zhihu settings come with the detail only (list rows and events do not carry them).
  const [options, setOptions] = createSignal<TaskOptions | null>(null);
  // Which article and how, fixed at creation; the detail carries them even when the held row does not.
  const [target, setTarget] = createSignal<Pick<TaskView, 'articleId' | 'mode'>>({});
  const [events, setEvents] = createSignal<TaskEvent[]>([]);
  const [missing, setMissing] = createSignal(false);
  const [error, setError] = createSignal('');
  const [confirmingRemove, setConfirmingRemove] = createSignal(false);
  const navigate = useNavigate();
  const [notice, setNotice] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [showPreview, setShowPreview] = createSignal(false);
  const [scheduleText, setScheduleText] = createSignal('');

  createEffect(
    on(id, (taskId) => {
      setContent(null);
      setOptions(null);
      setTarget({});
      setEvents([]);
      setMissing(false);
      setError('');
      setNotice('');
      // Events that arrive before the answer are kept and merged with it (no gap, no duplicate).
      let early: TaskEvent[] = [];
      let loaded = false;
      const off = app.store.onEvent((e) => {
        if (e.taskId !== taskId) return;
        if (e.removed) {
          setMissing(true);
          return;
        }
        if (loaded) setEvents((list) => mergeEvents(list, [e]));
        else early.push(e);
      });
      onCleanup(off);
      if (!/^[a-f0-9]{24}$/.test(taskId)) {
        setMissing(true);
        return;
      }
      void app.live.ready
        .then(() => api.task.byId.query({ id: taskId }))
        .then(
          (detail) => {
            if (id() !== taskId) return;
            app.store.applySnapshot([detailToView(detail)]);
            setContent(detail.content);
            setOptions({ column: detail.column, cover: detail.cover, statement: detail.statement, commentPermission: detail.commentPermission });
            setTarget({ articleId: detail.articleId, mode: detail.mode });
            setEvents(mergeEvents(detail.events, early));
            early = [];
            loaded = true;
            setScheduleText(detail.scheduledAt ? isoToLocalDateTime(detail.scheduledAt) : '');
          },
          (err: unknown) => {
            if (id() !== taskId) return;
            if (errorCode(err) === 'NOT_FOUND' || errorCode(err) === 'BAD_REQUEST') setMissing(true);
            else setError(report(err).message);
          },
        );
    }),
  );

  const groups = createMemo(() => groupByAttempt(events()));
  const kind = () => {
    const row = task();
    return row ? kindOf({ ...row, ...target() }) : 'publish';
  };
  const articleId = () => target().articleId ?? task()?.articleId;
  const accountName = () => {
    const row = task();
    return row ? (app.accounts.nameOf(row.accountId) ?? t.app.unknownAccount) : '';
  };

  async function act(op: 'cancel' | 'retry' | 'reschedule' | 'unschedule' | 'remove'): Promise<void> {
    setBusy(true);
    setError('');
    setNotice('');
    try {
      if (op === 'remove') {
        await api.task.remove.mutate({ id: id() });
        navigate('/tasks');
      } else if (op === 'cancel') {
        await api.task.cancel.mutate({ id: id() });
        setNotice(t.tasks.cancelled);
      } else if (op === 'retry') {
        await api.task.retry.mutate({ id: id() });
        setNotice(t.tasks.retried);
      } else {
        let scheduledAt: string | null = null;
        if (op === 'reschedule') {
          scheduledAt = localDateTimeToIso(scheduleText());
          if (!scheduledAt) {
            setError(t.compose.scheduleInvalid);
            return;
          }
        }
        await api.task.reschedule.mutate({ id: id(), scheduledAt });
        if (op === 'unschedule') setScheduleText('');
        setNotice(t.detail.rescheduled);
      }
    } catch (err) {
      setError(report(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page detail-page" data-testid="task-detail" data-task-id={id()}>
      <p>
        <A href="/tasks" class="back">
          {t.detail.back}
        </A>
      </p>
      <Show when={!missing()} fallback={<p class="alert error" data-testid="detail-missing">{t.detail.notFound}</p>}>
        <Show when={task()} fallback={<p class="muted" role="status">{error() || t.app.loading}</p>}>
          {(row) => (
            <>
              <div class="detail-head" data-status={row().status}>
                <h1 data-testid="detail-title" translate="no">
                  {row().title}
                </h1>
                <TaskKindTag task={{ ...row(), ...target() }} />
                <StatusBadge status={row().status} stage={row().stage} testid="detail-status" />
              </div>
              <div class="detail-grid">
                <div class="card">
                  <dl class="facts">
                    <dt>{t.detail.account}</dt>
                    <dd data-testid="detail-account" translate="no">
                      {accountName()}
                    </dd>
                    <dt>{t.detail.progress}</dt>
                    <dd>
                      <ProgressBar progress={row().progress} stage={row().stage} status={row().status} label={t.detail.progress} />
                    </dd>
                    <dt>{t.kind.label}</dt>
                    <dd data-testid="detail-kind" data-kind={kind()}>
                      {kind() === 'draft' ? (articleId() ? t.kind.draftOf(articleId() ?? '') : t.kind.draftNew) : articleId() ? t.kind.updateOf(articleId() ?? '') : t.kind.publish}
                    </dd>
                    <dt>{t.detail.attempt}</dt>
                    <dd data-testid="detail-attempt">{row().attempt}</dd>
                    <dt>{t.detail.priority}</dt>
                    <dd>{t.priority[row().priority]}</dd>
                    <dt>{t.detail.topics}</dt>
                    <dd>
                      <Show when={row().topics.length > 0} fallback={<span class="muted">{t.app.none}</span>}>
                        <For each={row().topics}>{(topic) => <Data class="chip">{topic}</Data>}</For>
                      </Show>
                    </dd>
                    <Show when={options()}>{(o) => <TaskOptionsFacts options={o()} account={app.accounts.state.list.find((a) => a.id === row().accountId)} />}</Show>
                    <Show when={row().batchId}>
                      {(batchId) => (
                        <>
                          <dt>{t.detail.batch}</dt>
                          <dd>
                            <A href={`/tasks?batch=${batchId()}`} class="mono" translate="no">
                              {batchId()}
                            </A>
                          </dd>
                        </>
                      )}
                    </Show>
                    <dt>{t.detail.scheduledAt}</dt>
                    <dd data-testid="detail-scheduled">{row().scheduledAt ? formatTime(row().scheduledAt) : t.detail.notScheduled}</dd>
                    <dt>{t.detail.createdAt}</dt>
                    <dd>{formatTime(row().createdAt)}</dd>
                    <dt>{t.detail.updatedAt}</dt>
                    <dd>{formatTime(row().updatedAt)}</dd>
                    <Show when={row().startedAt}>
                      <dt>{t.detail.startedAt}</dt>
                      <dd>{formatTime(row().startedAt)}</dd>
                    </Show>
                    <Show when={row().finishedAt}>
                      <dt>{t.detail.finishedAt}</dt>
                      <dd>{formatTime(row().finishedAt)}</dd>
                    </Show>
                  </dl>

                  <Show when={safeHttpUrl(row().result?.url)}>
                    {(url) => (
                      <p class="alert success">
                        {kind() === 'draft' ? t.detail.resultDraft : kind() === 'update' ? t.detail.resultUpdated : t.detail.result}
                        {t.app.colon}
                        <a href={url()} target="_blank" rel="noopener noreferrer" data-testid="result-link" translate="no">
                          {url()}
                        </a>
                      </p>
                    )}
                  </Show>
                  <Show when={row().status === 'unconfirmed'}>
                    <p class="alert warn">{t.statusHint.unconfirmed}</p>
                  </Show>
                  <Show when={row().error}>{(err) => <TaskErrorNote error={err()} detailed />}</Show>

                  <div class="actions">
                    <Show when={cancellable(row())}>
                      <button type="button" class="secondary" data-testid="detail-cancel" disabled={busy()} onClick={() => void act('cancel')}>
                        {t.detail.cancel}
                      </button>
                    </Show>
                    <Show when={row().status === 'success' && row().result}>
                      <button type="button" class="primary" data-testid="detail-update" onClick={() => navigate(`/compose?update=${row().id}`)}>
                        {t.detail.updateArticle}
                      </button>
                    </Show>
                    <Show when={RETRYABLE.includes(row().status)}>
                      <button type="button" class="primary" data-testid="detail-retry" disabled={busy()} onClick={() => void act('retry')}>
                        {t.detail.retry}
                      </button>
                    </Show>
                    <Show when={!CANCELLABLE.includes(row().status)}>
                      <Show
                        when={confirmingRemove()}
                        fallback={
                          <button type="button" class="secondary danger" data-testid="detail-remove" disabled={busy()} onClick={() => setConfirmingRemove(true)}>
                            {t.detail.remove}
                          </button>
                        }
                      >
                        <span class="alert warn" role="alertdialog" data-testid="detail-confirm-remove">
                          {t.detail.confirmRemove}{' '}
                          <button type="button" class="danger" data-testid="detail-remove-yes" disabled={busy()} onClick={() => void act('remove')}>
                            {t.tasks.confirmRemoveYes}
                          </button>{' '}
                          <button type="button" class="secondary" onClick={() => setConfirmingRemove(false)}>
                            {t.tasks.confirmRemoveNo}
                          </button>
                        </span>
                      </Show>
                    </Show>
                  </div>
                  <Show when={row().status === 'pending'}>
                    <div class="reschedule">
                      <label for="detail-schedule">{t.detail.reschedule}</label>
                      <div class="row-inline">
                        <input
                          id="detail-schedule"
                          data-testid="detail-schedule"
                          type="datetime-local"
                          value={scheduleText()}
                          onInput={(e) => setScheduleText(e.currentTarget.value)}
                        />
                        <button type="button" class="secondary" data-testid="detail-reschedule" disabled={busy() || scheduleText() === ''} onClick={() => void act('reschedule')}>
                          {t.detail.saveSchedule}
                        </button>
                        <Show when={row().scheduledAt}>
                          <button type="button" class="link" data-testid="detail-unschedule" disabled={busy()} onClick={() => void act('unschedule')}>
                            {t.detail.clearSchedule}
                          </button>
                        </Show>
                      </div>
                    </div>
                  </Show>
                  <Show when={notice()}>
                    <p class="alert info" role="status" data-testid="detail-notice">
                      {notice()}
                    </p>
                  </Show>
                  <Show when={error()}>
                    <p class="alert error" role="alert" data-testid="detail-error">
                      {error()}
                    </p>
                  </Show>
                </div>

                <div class="card">
                  <h2>{t.detail.timeline}</h2>
                  <div data-testid="timeline" data-count={events().length}>
                    <Show when={events().length > 0} fallback={<p class="muted">{t.detail.noEvents}</p>}>
                      <For each={groups()}>
                        {(group) => (
                          <section class="attempt" data-testid="timeline-attempt" data-attempt={group.attempt}>
                            <h3>{t.detail.attemptGroup(group.attempt)}</h3>
                            <ol class="timeline">
                              <For each={group.events}>
                                {(e) => (
                                  <li data-testid="timeline-event" data-stage={e.stage} data-status={e.status} data-event-id={e.id}>
                                    <time datetime={e.at}>{formatTime(e.at)}</time>
                                    <span class={`dot-status badge-${e.status}`} aria-hidden="true" />
                                    <span class="ev-stage">{t.stage[e.stage]}</span>
                                    <span class="muted small">{e.progress}%</span>
                                    <Show when={!sameNote(e.note, e.error?.detail) && (e.note || e.message !== e.error?.message)}>
                                      <NoteText class="ev-message" testid="timeline-note" note={e.note} legacy={e.message} />
                                    </Show>
                                    <Show when={e.error}>
                                      {(err) => (
                                        <span class="ev-error">
                                          {t.errorName[err().code]}
                                          {t.app.colon}
                                          <Show when={noteIn(err().detail)} fallback={t.errorCode[err().code]}>
                                            {(parts) => <PartsText parts={parts()} />}
                                          </Show>
                                        </span>
                                      )}
                                    </Show>
                                  </li>
                                )}
                              </For>
                            </ol>
                          </section>
                        )}
                      </For>
                    </Show>
                  </div>
                </div>
              </div>

              <Show when={row().evidence}>
                {(ev) => (
                  <div class="card" data-testid="evidence">
                    <h2>{t.detail.evidence}</h2>
                    <p class="muted">{t.detail.evidenceIntro}</p>
                    <dl class="facts">
                      <dt>{t.detail.evidencePage}</dt>
                      <dd>
                        <Data>{ev().pageTitle}</Data>
                        <br />
                        <Data class="mono small break">{ev().url}</Data>
                      </dd>
                      <dt>{t.detail.evidenceAt}</dt>
                      <dd>{formatTime(ev().at)}</dd>
                    </dl>
                    <Show when={ev().screenshot}>
                      <img
                        class="evidence-shot"
                        data-testid="evidence-screenshot"
                        src={`/api/evidence/${row().id}?v=${encodeURIComponent(ev().at)}`}
                        alt={t.detail.evidenceScreenshot(row().title)}
                        loading="lazy"
                      />
                    </Show>
                  </div>
                )}
              </Show>

              <div class="card">
                <div class="card-head">
                  <h2>{t.detail.content}</h2>
                  <button type="button" class="link" data-testid="detail-toggle-preview" onClick={() => setShowPreview(!showPreview())}>
                    {showPreview() ? t.detail.showSource : t.detail.showPreview}
                  </button>
                </div>
                <Show when={content() !== null} fallback={<p class="muted">{t.app.loading}</p>}>
                  <Show when={showPreview()} fallback={<pre class="source" data-testid="detail-content" translate="no">{content()}</pre>}>
                    <MarkdownPreview title={row().title} markdown={content() ?? ''} />
                  </Show>
                </Show>
              </div>
            </>
          )}
        </Show>
      </Show>
    </section>
  );
}

/** The event's note says what its error's detail says already (a failure reported once). */
function sameNote(a: TaskEvent['note'], b: TaskEvent['note']): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
