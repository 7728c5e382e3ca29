/**
 * 批量: several Markdown files (dropped or chosen) or several documents pasted at once. Each is
 * checked here with the server's own rules before anything is sent; the valid ones go in one
 * `createBatch`, and the server's verdict is shown next to each file.
 */
import { LIMITS, type Priority, type RejectionCode } from '@zpub/shared';
import { A } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, Show } from 'solid-js';
import { AccountSelect } from '../components/account-select';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { checkDraft, isMarkdownFile, parseDocument, splitDocuments, utf8Bytes, type Draft, type DraftCheck } from '../lib/batch';
import { localDateTimeToIso } from '../lib/datetime';
import { report } from '../lib/session';
import { api } from '../lib/trpc';

/** The server refuses request bodies over 4 MB by default (MAX_BODY_BYTES); stay under it. */
const REQUEST_MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024;

interface Item {
  uid: number;
  draft: Draft;
}

type Outcome = { kind: 'created'; taskId: string } | { kind: 'rejected'; code: RejectionCode; message: string };

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function Batch() {
  const app = useApp();
  const [accountId, setAccountId] = createSignal(localStorage.getItem('zpub.lastAccount') ?? '');
  const [items, setItems] = createSignal<Item[]>([]);
  const [pasted, setPasted] = createSignal('');
  const [priority, setPriority] = createSignal<Priority>('normal');
  const [schedule, setSchedule] = createSignal('');
  const [outcomes, setOutcomes] = createSignal<ReadonlyMap<number, Outcome>>(new Map());
  const [result, setResult] = createSignal<{ batchId: string | null; created: number; rejected: number } | null>(null);
  const [error, setError] = createSignal('');
  const [fileErrors, setFileErrors] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [dragging, setDragging] = createSignal(false);
  let nextUid = 1;
  let pasteCount = 0;

  createEffect(() => {
    const list = app.accounts.state.list;
    if (app.accounts.state.loaded && !list.some((a) => a.id === accountId())) setAccountId(list[0]?.id ?? '');
  });

  const scheduledAt = () => (schedule() ? (localDateTimeToIso(schedule()) ?? undefined) : undefined);
  const scheduleBad = () => schedule() !== '' && !scheduledAt();
  const checks = createMemo(() => {
    const opts = { priority: priority(), scheduledAt: scheduledAt() };
    return new Map<number, DraftCheck>(items().map((item) => [item.uid, checkDraft(item.draft, opts)]));
  });
  const pendingItems = () => items().filter((i) => outcomes().get(i.uid)?.kind !== 'created');
  const ready = () => pendingItems().filter((i) => checks().get(i.uid)?.ok);
  const badCount = () => pendingItems().length - ready().length;

  function add(drafts: Draft[]): void {
    setItems([...items(), ...drafts.map((draft) => ({ uid: nextUid++, draft }))]);
    setResult(null);
  }

  async function addFiles(files: FileList | readonly File[]): Promise<void> {
    const errors: string[] = [];
    const drafts: Draft[] = [];
    for (const file of [...files]) {
      if (!isMarkdownFile(file.name, file.type)) {
        errors.push(t.batch.notMarkdown(file.name));
        continue;
      }
      try {
        drafts.push(parseDocument(await file.text(), file.name));
      } catch {
        errors.push(t.batch.readFailed(file.name));
      }
    }
    setFileErrors(errors);
    add(drafts);
  }

  function addPasted(): void {
    const docs = splitDocuments(pasted());
    if (docs.length === 0) return;
    add(docs.map((doc) => parseDocument(doc, t.batch.pasted(++pasteCount))));
    setPasted('');
  }

  async function submit(): Promise<void> {
    setError('');
    if (!accountId()) {
      setError(t.compose.accountRequired);
      return;
    }
    const sending = ready();
    if (sending.length === 0) {
      setError(t.batch.nothingToSubmit);
      return;
    }
    if (sending.length > LIMITS.batchMax) {
      setError(t.batch.tooMany(LIMITS.batchMax));
      return;
    }
    const articles = sending.map((i) => {
      const check = checks().get(i.uid);
      return check?.ok ? check.article : null;
    });
    const payload = { accountId: accountId(), articles: articles.filter((a) => a !== null) };
    if (utf8Bytes(JSON.stringify(payload)) > REQUEST_MAX_BYTES) {
      setError(t.batch.tooLarge);
      return;
    }
    setBusy(true);
    try {
      const res = await api.task.createBatch.mutate(payload);
      const next = new Map(outcomes());
      // The server's indexes are positions in what was sent.
      for (const c of res.created) {
        const item = sending[c.index];
        if (item) next.set(item.uid, { kind: 'created', taskId: c.taskId });
      }
      for (const r of res.rejected) {
        const item = sending[r.index];
        if (item) next.set(item.uid, { kind: 'rejected', code: r.code, message: r.message });
      }
      setOutcomes(next);
      setResult({ batchId: res.batchId, created: res.created.length, rejected: res.rejected.length });
      localStorage.setItem('zpub.lastAccount', accountId());
    } catch (err) {
      setError(report(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page batch-page" aria-labelledby="batch-h">
      <h1 id="batch-h">{t.batch.title}</h1>
      <p class="muted">{t.batch.intro}</p>

      <div class="batch-grid">
        <div class="card">
          <div
            class="drop"
            classList={{ over: dragging() }}
            data-testid="batch-drop"
            onDragEnter={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragOver={(e) => {
              e.preventDefault();
              if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              if (e.dataTransfer?.files) void addFiles(e.dataTransfer.files);
            }}
          >
            <span>{t.batch.dropZone} </span>
            <label class="file-label">
              {t.batch.chooseFiles}
              <input
                type="file"
                multiple
                accept=".md,.markdown,.txt,text/markdown,text/plain"
                data-testid="batch-file-input"
                class="visually-hidden-file"
                onChange={(e) => {
                  const files = e.currentTarget.files;
                  if (files) void addFiles([...files]);
                  e.currentTarget.value = '';
                }}
              />
            </label>
          </div>
          <Show when={fileErrors().length > 0}>
            <ul class="alert error small" data-testid="batch-file-errors">
              <For each={fileErrors()}>{(msg) => <li>{msg}</li>}</For>
            </ul>
          </Show>
          <div class="field">
            <label for="batch-paste">{t.batch.paste}</label>
            <textarea id="batch-paste" data-testid="batch-paste" rows={8} placeholder={t.batch.pastePlaceholder} value={pasted()} onInput={(e) => setPasted(e.currentTarget.value)} />
          </div>
          <button type="button" class="secondary" data-testid="batch-add-pasted" disabled={pasted().trim() === ''} onClick={addPasted}>
            {t.batch.addPasted}
          </button>
        </div>

        <div class="card">
          <AccountSelect id="batch-account" testid="batch-account" label={t.batch.account} value={accountId()} onChange={setAccountId} />
          <div class="field-row">
            <div class="field">
              <label for="batch-priority">{t.batch.priority}</label>
              <select id="batch-priority" data-testid="batch-priority" value={priority()} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
                <option value="high">{t.priority.high}</option>
                <option value="normal">{t.priority.normal}</option>
                <option value="low">{t.priority.low}</option>
              </select>
            </div>
            <div class="field">
              <label for="batch-schedule">{t.batch.schedule}</label>
              <input id="batch-schedule" data-testid="batch-schedule" type="datetime-local" value={schedule()} onInput={(e) => setSchedule(e.currentTarget.value)} aria-invalid={scheduleBad() ? 'true' : undefined} />
              <Show when={scheduleBad()}>
                <p class="field-error">{t.compose.scheduleInvalid}</p>
              </Show>
            </div>
          </div>
          <p class="muted" data-testid="batch-summary" data-ok={ready().length} data-bad={badCount()}>
            {t.batch.summary(ready().length, badCount())}
          </p>
          <Show when={error()}>
            <p class="alert error" role="alert" data-testid="batch-error">
              {error()}
            </p>
          </Show>
          <Show when={result()}>
            {(r) => (
              <div class="alert success" role="status" data-testid="batch-result" data-created={r().created} data-rejected={r().rejected} data-batch-id={r().batchId ?? ''}>
                <p>{t.batch.result(r().created, r().rejected)}</p>
                <Show when={r().batchId}>
                  {(batchId) => (
                    <A href={`/tasks?batch=${batchId()}`} data-testid="batch-view-link">
                      {t.batch.viewBatch}
                    </A>
                  )}
                </Show>
              </div>
            )}
          </Show>
          <div class="actions">
            <button type="button" class="primary" data-testid="batch-submit" disabled={busy() || ready().length === 0 || scheduleBad()} onClick={() => void submit()}>
              {busy() ? t.batch.submitting : t.batch.submit(ready().length)}
            </button>
            <Show when={items().length > 0}>
              <button
                type="button"
                class="link"
                data-testid="batch-clear"
                onClick={() => {
                  setItems([]);
                  setOutcomes(new Map());
                  setResult(null);
                  setError('');
                }}
              >
                {t.batch.clear}
              </button>
            </Show>
          </div>
        </div>
      </div>

      <div class="card">
        <h2>{t.batch.list}</h2>
        <Show when={items().length > 0} fallback={<p class="muted">{t.batch.empty}</p>}>
          <table class="table stack" data-testid="batch-items">
            <thead>
              <tr>
                <th scope="col">{t.batch.source}</th>
                <th scope="col">{t.batch.articleTitle}</th>
                <th scope="col">{t.batch.size}</th>
                <th scope="col">{t.batch.check}</th>
                <th scope="col">
                  <span class="sr-only">{t.batch.remove}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={items()}>
                {(item) => {
                  const check = () => checks().get(item.uid);
                  const outcome = () => outcomes().get(item.uid);
                  return (
                    <tr
                      data-testid="batch-item"
                      data-source={item.draft.source}
                      data-ok={check()?.ok ? 'true' : 'false'}
                      data-code={(() => {
                        const c = check();
                        return c && !c.ok ? c.code : '';
                      })()}
                      data-result={outcome()?.kind ?? ''}
                    >
                      <td class="mono small break" data-label={t.batch.source}>
                        {item.draft.source}
                      </td>
                      <td class="break" data-label={t.batch.articleTitle}>
                        {item.draft.title ?? '—'}
                      </td>
                      <td class="small nowrap" data-label={t.batch.size}>
                        {formatBytes(utf8Bytes(item.draft.content))}
                      </td>
                      <td data-testid="batch-item-check" data-label={t.batch.check}>
                        <Show
                          when={outcome()}
                          fallback={
                            <Show when={check()} keyed>
                              {(c) => (c.ok ? <span class="ok">✓ {t.batch.ok}</span> : <span class="bad">✗ {t.rejection[c.code]}</span>)}
                            </Show>
                          }
                          keyed
                        >
                          {(o) =>
                            o.kind === 'created' ? (
                              <span class="ok" data-testid="batch-item-result" data-task-id={o.taskId}>
                                ✓ {t.batch.created} <A href={`/tasks/${o.taskId}`}>{t.compose.viewTask}</A>
                              </span>
                            ) : (
                              <span class="bad" data-testid="batch-item-result" data-code={o.code}>
                                ✗ {t.batch.rejectedByServer}（{o.code}）：{t.rejection[o.code]}
                              </span>
                            )
                          }
                        </Show>
                      </td>
                      <td>
                        <Show when={outcome()?.kind !== 'created'}>
                          <button
                            type="button"
                            class="small link"
                            aria-label={t.batch.removeItem(item.draft.source)}
                            onClick={() => setItems(items().filter((x) => x.uid !== item.uid))}
                          >
                            {t.batch.remove}
                          </button>
                        </Show>
                      </td>
                    </tr>
                  );
                }}
              </For>
            </tbody>
          </table>
        </Show>
      </div>
    </section>
  );
}
