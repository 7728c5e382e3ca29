/**
 * Where a batch comes in: Markdown files and the images they name, dropped (folders included) or
 * chosen, file by file or as a whole folder. Hands on every file with its path in what was picked.
 */
import { createSignal } from 'solid-js';
import { t } from '../i18n';
import { filesOfDrop, filesOfInput, type PickedFile } from '../lib/batch-folder';

export function BatchDropZone(props: { onFiles: (files: PickedFile[]) => void }) {
  const [dragging, setDragging] = createSignal(false);

  function picked(input: HTMLInputElement): void {
    const files = filesOfInput(input.files ?? []);
    input.value = '';
    if (files.length > 0) props.onFiles(files);
  }

  return (
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
        if (e.dataTransfer) void filesOfDrop(e.dataTransfer).then((files) => props.onFiles(files));
      }}
    >
      <span>{t.batch.dropZone} </span>
      <label class="file-label">
        {t.batch.chooseFiles}
        <input
          type="file"
          multiple
          accept=".md,.markdown,.txt,text/markdown,text/plain,image/png,image/jpeg,image/gif,image/webp"
          data-testid="batch-file-input"
          class="visually-hidden-file"
          onChange={(e) => picked(e.currentTarget)}
        />
      </label>
      <span> / </span>
      <label class="file-label">
        {t.batch.chooseFolder}
        <input
          type="file"
          multiple
          ref={(el) => {
            // Not in JSX's attribute types; every current browser supports it.
            el.webkitdirectory = true;
          }}
          data-testid="batch-folder-input"
          class="visually-hidden-file"
          onChange={(e) => picked(e.currentTarget)}
        />
      </label>
    </div>
  );
}
