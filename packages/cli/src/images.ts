/**
 * Local images an article names by path (`![a](img/x.png)`, `<img src="x.png">`, a reference
 * definition, a `cover:`): found outside code blocks, read next to the file, and rewritten to the
 * address the server gives uploaded images (`/assets/<sha256>`). The address is the SHA-256 of
 * the bytes, so it is known before uploading: an unchanged article hashes the same without any
 * request, and an image changed on disk changes the article.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ASSET_MIME_TYPES} from '@zpub/shared';
import { ASSET_MAX_BYTES, assetIdOf, assetPath } from '@zpub/shared';

export interface LocalImage {
  /** As written in the file. */
  ref: string;
  path: string;
  sha256: string;
  mime: (typeof ASSET_MIME_TYPES)[number];
  bytes: Buffer;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const INLINE = /!\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
const HTML_IMG = /<img\b[^>]*?\bsrc\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;
const REF_DEF = /^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm;
const IMAGE_EXT = /\.(png|jpe?g|gif|webp|svg|bmp|tiff?|avif|heic)$/i;

/** Whether a reference names a file on this machine rather than an address. */
export function isLocalRef(ref: string): boolean {
  const r = ref.trim();
  if (r === '' || r.startsWith('#') || r.startsWith('//')) return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(r)) return false;
  return assetIdOf(r) === null;
}

function unwrap(ref: string): string {
  const r = ref.startsWith('<') && ref.endsWith('>') ? ref.slice(1, -1) : ref;
  return r.startsWith('"') || r.startsWith("'") ? r.slice(1, -1) : r;
}

interface Found {
  start: number;
  end: number;
  ref: string;
}

/** Every local image reference in a Markdown body, with where it sits (code blocks excluded). */
export function findLocalImages(body: string): Found[] {
  const found: Found[] = [];
  let offset = 0;
  let fence: string | null = null;
  let chunkStart = 0;
  const scan = (from: number, to: number) => {
    const text = body.slice(from, to);
    const take = (re: RegExp, refers: (m: RegExpExecArray) => boolean) => {
      for (const m of text.matchAll(re)) {
        const raw = m[1];
        if (raw === undefined || m.index === undefined || !refers(m)) continue;
        const ref = unwrap(raw);
        if (!isLocalRef(ref)) continue;
        const at = from + m.index + m[0].lastIndexOf(raw);
        found.push({ start: at, end: at + raw.length, ref });
      }
    };
    take(INLINE, () => true);
    take(HTML_IMG, () => true);
    // A reference definition may point at anything; only image files are uploaded.
    take(REF_DEF, (m) => IMAGE_EXT.test(unwrap(m[1] ?? '')));
  };
  for (const line of body.split('\n')) {
    const end = offset + line.length;
    const m = FENCE.exec(line);
    if (fence === null && m?.[1]) {
      scan(chunkStart, offset);
      fence = m[1];
    } else if (fence !== null && m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) {
      fence = null;
      chunkStart = end + 1;
    }
    offset = end + 1;
  }
  if (fence === null) scan(chunkStart, body.length);
  return found.sort((a, b) => a.start - b.start);
}

/** PNG, JPEG, GIF or WebP by their first bytes (what the server accepts), else null. */
export function sniffImage(bytes: Buffer): LocalImage['mime'] | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/** Reads one image a file names; a missing, unreadable or unsupported one is a sentence naming it. */
export async function readImage(file: string, ref: string): Promise<LocalImage | string> {
  let decoded = ref;
  try {
    decoded = decodeURI(ref);
  } catch {
    // Not percent-encoded after all: the path is what was written.
  }
  const path = isAbsolute(decoded) ? decoded : resolve(dirname(file), decoded);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `image ${ref} not found (looked for ${path})`;
    if (code === 'EISDIR') return `image ${ref} is a folder (${path})`;
    return `image ${ref} cannot be read (${path}: ${(err as Error).message})`;
  }
  if (bytes.length > ASSET_MAX_BYTES) return `image ${ref} is ${(bytes.length / 1048576).toFixed(1)} MiB; the limit is ${ASSET_MAX_BYTES / 1048576} MiB (${path})`;
  const mime = sniffImage(bytes);
  if (!mime) return `image ${ref} is not a PNG, JPEG, GIF or WebP image (${path})`;
  return { ref, path, sha256: createHash('sha256').update(bytes).digest('hex'), mime, bytes };
}

/**
 * The body with each local image replaced by its upload address, and the images it needs; or
 * the problems (every missing or unusable image is named, not just the first).
 */
export async function resolveImages(file: string, body: string): Promise<{ body: string; images: LocalImage[] } | { problems: string[] }> {
  const found = findLocalImages(body);
  const images = new Map<string, LocalImage>();
  const problems: string[] = [];
  let out = '';
  let at = 0;
  for (const f of found) {
    const image = await readImage(file, f.ref);
    if (typeof image === 'string') {
      if (!problems.includes(image)) problems.push(image);
      continue;
    }
    images.set(image.sha256, image);
    out += body.slice(at, f.start) + assetPath(image.sha256);
    at = f.end;
  }
  if (problems.length > 0) return { problems };
  return { body: out + body.slice(at), images: [...images.values()] };
}
