/** The articles of a batch: where each came from, its title, and what the check or the server said. */
import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { t } from '../i18n';
import { utf8Bytes, type Draft } from '../lib/batch';
import type { ItemCheck, Outcome } from '../lib/batch-submit';

export interface BatchRow {
  uid: number;
  draft: Draft;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** What is wrong, in the reader's language, with the value at fault when there is one. */
function problemText(c: Exclude<ItemCheck, { ok: true }>): string {
  if (c.code === 'IMAGE_MISSING') return c.message;
  return 'detail' in c && c.detail ? `${t.rejection[c.code]}（${c.detail}）` : t.rejection[c.code];
}

function Verdict(props: { check: ItemCheck | undefined; outcome: Outcome | undefined }) {
  return (
    <Show
      when={props.outcome}
      fallback={
        <Show when={props.check} keyed>
          {(c) => (c.ok ? <span class="ok">✓ {t.batch.ok}</span> : <span class="bad">✗ {problemText(c)}</span>)}
        </Show>
      }
      keyed
    >
      {(o) =>
        o.kind === 'created' ? (
          <span class="ok" data-testid="batch-item-result" data-task-id={o.taskId}>
            ✓ {t.batch.created} <A href={`/tasks/${o.taskId}`}>{t.compose.viewTask}</A>
          </span>
        ) : o.kind === 'rejected' ? (
          <span class="bad" data-testid="batch-item-result" data-code={o.code}>
            ✗ {t.batch.rejectedByServer}（{o.code}）：{t.rejection[o.code]}
          </span>
        ) : (
          <span class="bad" data-testid="batch-item-result" data-code="IMAGE_UPLOAD">
            ✗ {t.batch.imageFailed}：{o.message}
          </span>
        )
      }
    </Show>
  );
}

export function BatchItemsTable(props: {
  rows: BatchRow[];
  checkOf: (uid: number) => ItemCheck | undefined;
  outcomeOf: (uid: number) => Outcome | undefined;
  imagesOf: (uid: number) => number;
  onRemove: (uid: number) => void;
}) {
  return (
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
        <For each={props.rows}>
          {(row) => {
            const check = () => props.checkOf(row.uid);
            const outcome = () => props.outcomeOf(row.uid);
            const code = () => {
              const c = check();
              return c && !c.ok ? c.code : '';
            };
            return (
              <tr data-testid="batch-item" data-source={row.draft.source} data-ok={check()?.ok ? 'true' : 'false'} data-code={code()} data-result={outcome()?.kind ?? ''}>
                <td class="mono small break" data-label={t.batch.source}>
                  {row.draft.source}
                </td>
                <td class="break" data-label={t.batch.articleTitle}>
                  {row.draft.title ?? '—'}
                </td>
                <td class="small nowrap" data-label={t.batch.size}>
                  {formatBytes(utf8Bytes(row.draft.content))}
                  <Show when={props.imagesOf(row.uid) > 0}>
                    <br />
                    <span class="muted">{t.batch.imagesOf(props.imagesOf(row.uid))}</span>
                  </Show>
                </td>
                <td data-testid="batch-item-check" data-label={t.batch.check}>
                  <Verdict check={check()} outcome={outcome()} />
                </td>
                <td>
                  <Show when={outcome()?.kind !== 'created'}>
                    <button type="button" class="small link" aria-label={t.batch.removeItem(row.draft.source)} onClick={() => props.onRemove(row.uid)}>
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
  );
}
