/**
 * The images of a batch: which files of what was dropped each article names (in its body or as
 * its cover), what is missing, and the article as sent once those files are uploaded.
 */
import type { ArticleInput, RejectionCode } from '@zpub/shared';
import { t } from '../i18n';
import { uploadProblem } from './assets';
import type { Draft, DraftCheck } from './batch';
import { isRelativeRef, relativeImageRefs, resolvePath, rewriteRefs, type ImageRef } from './batch-images';
import type { PickedFile } from './batch-folder';

/** What became of an article sent (or meant to be sent). */
export type Outcome =
  | { kind: 'created'; taskId: string }
  | { kind: 'rejected'; code: RejectionCode; message: string }
  /** An image it names could not be uploaded: the article was not sent. */
  | { kind: 'image-failed'; message: string };

/** A check of an article of the batch: its own, or a problem with an image it names. */
export type ItemCheck = DraftCheck | { ok: false; code: 'IMAGE_MISSING'; message: string };

/** Dropped files by path; a path that differs only in case still finds its file (Windows, macOS). */
export class FileIndex {
  private readonly exact = new Map<string, File>();
  private readonly folded = new Map<string, File>();

  constructor(files: readonly PickedFile[] = []) {
    for (const f of files) this.add(f);
  }

  add(f: PickedFile): void {
    this.exact.set(f.path, f.file);
    this.folded.set(f.path.toLowerCase(), f.file);
  }

  get(path: string): File | undefined {
    return this.exact.get(path) ?? this.folded.get(path.toLowerCase());
  }

  get size(): number {
    return this.exact.size;
  }

  /** A new index with the files of both (the other's win on the same path). */
  merged(other: FileIndex): FileIndex {
    const out = new FileIndex();
    for (const [path, file] of [...this.exact, ...other.exact]) out.add({ path, file });
    return out;
  }
}

export interface ImageNeed {
  /** Where the article names it: a destination in the body, or the cover. */
  at: ImageRef | 'cover';
  path: string;
  file: File;
}

export type ItemImages = { ok: true; needs: ImageNeed[] } | { ok: false; message: string };

/** The files an article names by relative path, or what is wrong with the first that is not usable. */
export function itemImages(draft: Draft, dir: string, files: FileIndex): ItemImages {
  const wanted: { at: ImageRef | 'cover'; ref: string }[] = relativeImageRefs(draft.content).map((r) => ({ at: r, ref: r.path }));
  const cover = draft.options.cover;
  if (cover !== undefined && isRelativeRef(cover)) wanted.push({ at: 'cover', ref: cover });
  const needs: ImageNeed[] = [];
  for (const w of wanted) {
    const path = resolvePath(dir, w.ref);
    if (path === null) return { ok: false, message: t.batch.imageOutside(w.ref) };
    const file = files.get(path);
    if (!file) return { ok: false, message: t.batch.imageMissing(w.ref) };
    const problem = uploadProblem(file);
    if (problem) return { ok: false, message: problem };
    needs.push({ at: w.at, path, file });
  }
  return { ok: true, needs };
}

/** The article with each image it names replaced by the address of its uploaded copy. */
export function withUploads(article: ArticleInput, needs: readonly ImageNeed[], urlOf: (file: File) => string): ArticleInput {
  const fileOf = new Map<ImageRef, File>();
  let cover: File | undefined;
  for (const n of needs) {
    if (n.at === 'cover') cover = n.file;
    else fileOf.set(n.at, n.file);
  }
  // The body was checked as it is, so the positions of the refs still hold.
  const content = rewriteRefs(article.content, [...fileOf.keys()], (ref) => {
    const file = fileOf.get(ref);
    return file ? urlOf(file) : '';
  });
  return { ...article, content, ...(cover ? { cover: urlOf(cover) } : {}) };
}

/**
 * Uploads each file once (sequentially: a batch folder can hold hundreds of images, and the
 * server takes each whole), skipping those `done` already knows; answers what failed.
 */
export async function uploadFiles(
  files: readonly File[],
  done: Map<File, string>,
  upload: (file: File) => Promise<string>,
  onProgress: (done: number, total: number) => void,
): Promise<Map<File, string>> {
  const todo = [...new Set(files)].filter((f) => !done.has(f));
  const failed = new Map<File, string>();
  for (const [i, file] of todo.entries()) {
    onProgress(i, todo.length);
    try {
      done.set(file, await upload(file));
    } catch (err) {
      failed.set(file, err instanceof Error ? err.message : String(err));
    }
  }
  onProgress(todo.length, todo.length);
  return failed;
}
