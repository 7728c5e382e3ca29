/**
 * Local images an article names by a relative path (found by `@zpub/shared`'s
 * relativeImageRefs, as the SPA's batch screen finds them; and a relative `cover:`): read next to
 * the file and rewritten to the address the server gives uploaded images (`/assets/<sha256>`).
 * The address is the SHA-256 of the bytes, so it is known before uploading: an unchanged article
 * hashes the same without any request, and an image changed on disk changes the article.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ASSET_MAX_BYTES, assetPath, relativeImageRefs, rewriteRefs, sniffImageType, type AssetMime } from '@zpub/shared';
import { t } from './i18n';

export interface LocalImage {
  /** As written in the file. */
  ref: string;
  path: string;
  sha256: string;
  mime: AssetMime;
  bytes: Buffer;
}

/** Reads one image a file names by a relative path; a missing, unreadable or unsupported one is a sentence naming it. */
export async function readImage(file: string, ref: string): Promise<LocalImage | string> {
  const path = resolve(dirname(file), ref);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return t.imageNotFound(ref, path);
    if (code === 'EISDIR') return t.imageIsFolder(ref, path);
    return t.imageUnreadable(ref, path, (err as Error).message);
  }
  if (bytes.length > ASSET_MAX_BYTES) return t.imageTooLarge(ref, (bytes.length / 1048576).toFixed(1), ASSET_MAX_BYTES / 1048576, path);
  const mime = sniffImageType(bytes);
  if (!mime) return t.imageNotImage(ref, path);
  return { ref, path, sha256: createHash('sha256').update(bytes).digest('hex'), mime, bytes };
}

/**
 * The body with each local image replaced by its upload address, and the images it needs; or
 * the problems (every missing or unusable image is named, not just the first).
 */
export async function resolveImages(file: string, body: string): Promise<{ body: string; images: LocalImage[] } | { problems: string[] }> {
  const refs = relativeImageRefs(body);
  const images = new Map<string, LocalImage>();
  const byRef = new Map<string, LocalImage>();
  const problems: string[] = [];
  for (const ref of refs) {
    if (byRef.has(ref.path)) continue;
    const image = await readImage(file, ref.path);
    if (typeof image === 'string') {
      if (!problems.includes(image)) problems.push(image);
      continue;
    }
    images.set(image.sha256, image);
    byRef.set(ref.path, image);
  }
  if (problems.length > 0) return { problems };
  return { body: rewriteRefs(body, refs, (ref) => assetPath(byRef.get(ref.path)?.sha256 ?? '')), images: [...images.values()] };
}
