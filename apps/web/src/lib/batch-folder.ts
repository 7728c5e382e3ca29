/**
 * The files of what a person dropped or chose, each with its path inside it (`notes/img/a.png`),
 * so a Markdown file's relative image paths can be found among them. A dropped folder is read
 * through the File and Directory Entries API; chosen files carry `webkitRelativePath`.
 */

export interface PickedFile {
  path: string;
  file: File;
}

/** The parts of the Entries API used here (also what tests hand in). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void) => void };
}

/** Never read more than this many files from one drop (a dropped home folder must not hang the tab). */
export const MAX_PICKED_FILES = 5000;

const clean = (path: string) => path.replace(/^\/+/, '');

async function readDirectory(entry: EntryLike): Promise<EntryLike[]> {
  const reader = entry.createReader?.();
  if (!reader) return [];
  const all: EntryLike[] = [];
  // readEntries answers in pieces (Chromium: 100 at a time) until it answers nothing.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Every file under the entries, depth first, with its path from the top of the drop. */
export async function filesOfEntries(entries: readonly EntryLike[], max = MAX_PICKED_FILES): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const queue = [...entries];
  while (queue.length > 0 && out.length < max) {
    const entry = queue.shift();
    if (!entry) break;
    if (entry.isDirectory) queue.unshift(...(await readDirectory(entry)));
    else if (entry.isFile && entry.file) {
      const read = entry.file;
      out.push({ path: clean(entry.fullPath || entry.name), file: await new Promise<File>((ok, fail) => read(ok, fail)) });
    }
  }
  return out;
}

/** Files from an `<input type="file">` (with `webkitdirectory`, each knows its path in the folder). */
export function filesOfInput(files: Iterable<File>): PickedFile[] {
  return [...files].map((file) => ({ path: clean(file.webkitRelativePath || file.name), file }));
}

/** What was dropped: folders read through their entries when the browser offers them, else the files. */
export async function filesOfDrop(data: DataTransfer): Promise<PickedFile[]> {
  // Entries must be taken while the drop event runs: the list is emptied once it returns.
  const entries = [...data.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry() as EntryLike | null)
    .filter((e): e is EntryLike => e !== null);
  const files = [...data.files];
  if (entries.length > 0) return filesOfEntries(entries);
  return filesOfInput(files);
}
