/**
 * 批量: Markdown files (dropped, chosen, or a whole folder with the images they name) or several
 * documents pasted at once, checked here with the server's own rules before anything is sent
 * (lib/batch-state.ts), with the server's verdict shown per file.
 */
import { For, Show } from 'solid-js';
import { BatchDropZone } from '../components/batch-drop-zone';
import { BatchItemsTable } from '../components/batch-items-table';
import { BatchSettings } from '../components/batch-settings';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { createBatch } from '../lib/batch-state';

export function Batch() {
  const batch = createBatch(useApp());

  return (
    <section class="page batch-page" aria-labelledby="batch-h">
      <h1 id="batch-h">{t.batch.title}</h1>
      <p class="muted">{t.batch.intro}</p>
      <p class="muted small">{t.batch.imagesHint}</p>

      <div class="batch-grid">
        <div class="card">
          <BatchDropZone onFiles={(picked) => void batch.addFiles(picked)} />
          <Show when={batch.fileErrors().length > 0}>
            <ul class="alert error small" data-testid="batch-file-errors">
              <For each={batch.fileErrors()}>{(msg) => <li>{msg}</li>}</For>
            </ul>
          </Show>
          <div class="field">
            <label for="batch-paste">{t.batch.paste}</label>
            <textarea
              id="batch-paste"
              data-testid="batch-paste"
              rows={8}
              placeholder={t.batch.pastePlaceholder}
              value={batch.pasted()}
              onInput={(e) => batch.setPasted(e.currentTarget.value)}
            />
          </div>
          <button type="button" class="secondary" data-testid="batch-add-pasted" disabled={batch.pasted().trim() === ''} onClick={() => batch.addPasted()}>
            {t.batch.addPasted}
          </button>
        </div>
        <BatchSettings batch={batch} />
      </div>

      <div class="card">
        <h2>{t.batch.list}</h2>
        <Show when={batch.items().length > 0} fallback={<p class="muted">{t.batch.empty}</p>}>
          <BatchItemsTable
            rows={batch.items()}
            checkOf={(uid) => batch.checks().get(uid)}
            outcomeOf={(uid) => batch.outcomes().get(uid)}
            imagesOf={(uid) => {
              const pics = batch.images().get(uid);
              return pics?.ok ? pics.needs.length : 0;
            }}
            onRemove={(uid) => batch.remove(uid)}
          />
        </Show>
      </div>
    </section>
  );
}
