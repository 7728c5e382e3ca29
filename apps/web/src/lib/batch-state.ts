/**
 * The state of the batch page and what it does: files and pasted documents in, each checked as
 * the server will; on submit the images they name are uploaded, the paths replaced by their
 * addresses, and the valid articles sent in one `createBatch`.
 */
import { LIMITS, type ArticleInput, type Priority } from '@zpub/shared';
import { createEffect, createMemo, createSignal } from 'solid-js';
import { t } from '../i18n';
import type { AppContextValue } from './app-context';
import { uploadImage, isImageFile } from './assets';
import { checkDraft, isMarkdownFile, parseDocument, splitDocuments, utf8Bytes, type Draft } from './batch';
import { dirOf } from './batch-images';
import type { PickedFile } from './batch-folder';
import { FileIndex, itemImages, uploadFiles, withUploads, type ItemCheck, type ItemImages, type Outcome } from './batch-submit';
import { localDateTimeToIso } from './datetime';
import { report } from './session';
import { api } from './trpc';

/** The server refuses request bodies over 4 MB by default (MAX_BODY_BYTES); stay under it. */
const REQUEST_MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024;

export interface Item {
  uid: number;
  draft: Draft;
  /** The folder of the file it came from, for its relative image paths. */
  dir: string;
}

export type BatchState = ReturnType<typeof createBatch>;

export function createBatch(app: AppContextValue) {
  const [accountId, setAccountId] = createSignal(localStorage.getItem('zpub.lastAccount') ?? '');
  const [items, setItems] = createSignal<Item[]>([]);
  const [files, setFiles] = createSignal(new FileIndex());
  const [pasted, setPasted] = createSignal('');
  const [priority, setPriority] = createSignal<Priority>('normal');
  const [schedule, setSchedule] = createSignal('');
  const [outcomes, setOutcomes] = createSignal<ReadonlyMap<number, Outcome>>(new Map());
  const [result, setResult] = createSignal<{ batchId: string | null; created: number; rejected: number } | null>(null);
  const [error, setError] = createSignal('');
  const [fileErrors, setFileErrors] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [progress, setProgress] = createSignal<{ done: number; total: number } | null>(null);
  // Each dropped image is uploaded once per visit, however many articles or submissions use it.
  const uploaded = new Map<File, string>();
  let nextUid = 1;
  let pasteCount = 0;

  createEffect(() => {
    const list = app.accounts.state.list;
    if (app.accounts.state.loaded && !list.some((a) => a.id === accountId())) setAccountId(list[0]?.id ?? '');
  });

  const scheduledAt = () => (schedule() ? (localDateTimeToIso(schedule()) ?? undefined) : undefined);
  const scheduleBad = () => schedule() !== '' && !scheduledAt();
  const columns = () => app.accounts.state.list.find((a) => a.id === accountId())?.columns;
  const images = createMemo(() => new Map<number, ItemImages>(items().map((i) => [i.uid, itemImages(i.draft, i.dir, files())])));
  const checks = createMemo(() => {
    const opts = { priority: priority(), scheduledAt: scheduledAt(), columns: columns() };
    return new Map<number, ItemCheck>(
      items().map((item) => {
        const own = checkDraft(item.draft, opts);
        const pics = images().get(item.uid);
        return [item.uid, own.ok && pics && !pics.ok ? { ok: false, code: 'IMAGE_MISSING', message: pics.message } : own];
      }),
    );
  });
  const pendingItems = () => items().filter((i) => outcomes().get(i.uid)?.kind !== 'created');
  const ready = () => pendingItems().filter((i) => checks().get(i.uid)?.ok);
  const badCount = () => pendingItems().length - ready().length;

  async function addFiles(picked: PickedFile[]): Promise<void> {
    const errors: string[] = [];
    const drafts: Item[] = [];
    const index = new FileIndex();
    for (const { path, file } of picked) {
      if (isImageFile(file)) {
        index.add({ path, file });
      } else if (isMarkdownFile(file.name, file.type)) {
        try {
          drafts.push({ uid: nextUid++, draft: parseDocument(await file.text(), path), dir: dirOf(path) });
        } catch {
          errors.push(t.batch.readFailed(path));
        }
      } else if (!path.includes('/')) {
        // Other files of a dropped folder (notes, drafts, .DS_Store) are simply not articles.
        errors.push(t.batch.notMarkdown(file.name));
      }
    }
    setFileErrors(errors);
    if (index.size > 0) setFiles(files().merged(index));
    setItems([...items(), ...drafts]);
    setResult(null);
  }

  function addPasted(): void {
    const docs = splitDocuments(pasted());
    if (docs.length === 0) return;
    setItems([...items(), ...docs.map((doc) => ({ uid: nextUid++, draft: parseDocument(doc, t.batch.pasted(++pasteCount)), dir: '' }))]);
    setResult(null);
    setPasted('');
  }

  /** Uploads the images the items name; answers each item's article, or why it cannot be sent. */
  async function prepare(sending: Item[]): Promise<Map<number, ArticleInput | string>> {
    const needs = sending.flatMap((i) => {
      const pics = images().get(i.uid);
      return pics?.ok ? pics.needs : [];
    });
    const failed = await uploadFiles(
      needs.map((n) => n.file),
      uploaded,
      uploadImage,
      (done, total) => setProgress(total > 0 ? { done, total } : null),
    );
    setProgress(null);
    const out = new Map<number, ArticleInput | string>();
    for (const item of sending) {
      const check = checks().get(item.uid);
      const pics = images().get(item.uid);
      if (!check?.ok || !pics?.ok) continue;
      const broken = pics.needs.find((n) => failed.has(n.file));
      out.set(item.uid, broken ? `${broken.path}：${failed.get(broken.file) ?? ''}` : withUploads(check.article, pics.needs, (f) => uploaded.get(f) ?? ''));
    }
    return out;
  }

  async function submit(): Promise<void> {
    setError('');
    if (!accountId()) return void setError(t.compose.accountRequired);
    const candidates = ready();
    if (candidates.length === 0) return void setError(t.batch.nothingToSubmit);
    if (candidates.length > LIMITS.batchMax) return void setError(t.batch.tooMany(LIMITS.batchMax));
    setBusy(true);
    try {
      const prepared = await prepare(candidates);
      const next = new Map(outcomes());
      const sending: { item: Item; article: ArticleInput }[] = [];
      for (const item of candidates) {
        const p = prepared.get(item.uid);
        if (typeof p === 'string') next.set(item.uid, { kind: 'image-failed', message: p });
        else if (p) sending.push({ item, article: p });
      }
      setOutcomes(next);
      if (sending.length === 0) return;
      const payload = { accountId: accountId(), articles: sending.map((s) => s.article) };
      if (utf8Bytes(JSON.stringify(payload)) > REQUEST_MAX_BYTES) return void setError(t.batch.tooLarge);
      const res = await api.task.createBatch.mutate(payload);
      // The server's indexes are positions in what was sent.
      for (const c of res.created) {
        const s = sending[c.index];
        if (s) next.set(s.item.uid, { kind: 'created', taskId: c.taskId });
      }
      for (const r of res.rejected) {
        const s = sending[r.index];
        if (s) next.set(s.item.uid, { kind: 'rejected', code: r.code, message: r.message });
      }
      setOutcomes(new Map(next));
      setResult({ batchId: res.batchId, created: res.created.length, rejected: res.rejected.length });
      localStorage.setItem('zpub.lastAccount', accountId());
    } catch (err) {
      setError(report(err).message);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  function clear(): void {
    setItems([]);
    setFiles(new FileIndex());
    setOutcomes(new Map());
    setResult(null);
    setError('');
  }

  return {
    accountId,
    setAccountId,
    items,
    pasted,
    setPasted,
    priority,
    setPriority,
    schedule,
    setSchedule,
    scheduleBad,
    outcomes,
    result,
    error,
    fileErrors,
    busy,
    progress,
    images,
    checks,
    ready,
    badCount,
    addFiles,
    addPasted,
    submit,
    clear,
    remove: (uid: number) => setItems(items().filter((x) => x.uid !== uid)),
  };
}
