/**
 * Images users upload (pasted into the composer, dropped with a batch folder), kept per user and
 * addressed by the SHA-256 of their bytes: `/assets/<sha256>` in Markdown. The same bytes uploaded
 * twice by one user are one document; another user's upload of the same bytes is their own.
 */
import { createHash } from 'node:crypto';
import { assetPath, type ASSET_MIME_TYPES } from '@zpub/shared';
import type { Models } from '@zpub/shared/node';
import { Types } from 'mongoose';

export type AssetMime = (typeof ASSET_MIME_TYPES)[number];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  return bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The image type the bytes themselves declare (their signature), whatever the upload claimed:
 * a browser shows an image by its bytes, so a file is what its bytes say it is.
 */
export function sniffImageType(bytes: Uint8Array): AssetMime | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

const ASSET_IN_TEXT = /\/assets\/([a-f0-9]{64})(?![a-f0-9])/g;

/**
 * Every uploaded image a text names, in order of first mention. Any mention counts, not only
 * Markdown image syntax: refusing a path the user does not own is cheaper than guessing which
 * mentions the publisher will treat as images.
 */
export function assetIdsIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(ASSET_IN_TEXT), (m) => m[1] ?? ''))].filter((s) => s !== '');
}

/** lean() hands back a BSON Binary (its bytes in `.buffer`), not a Buffer. */
function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const inner = (value as { buffer?: unknown } | null)?.buffer;
  if (inner instanceof Uint8Array) return Buffer.from(inner.buffer, inner.byteOffset, inner.byteLength);
  throw new Error('stored image has no bytes');
}

export interface StoredAsset {
  sha256: string;
  mime: string;
  size: number;
  data: Buffer;
}

/** Ownership facts remembered per process; past this many the memory starts over. */
const KNOWN_MAX = 100_000;

export class AssetStore {
  /**
   * `<userId>:<sha256>` pairs known to exist. Only positives are kept, and an upload is never
   * removed (nothing deletes one yet), so an entry never goes stale. It matters: FerretDB reads
   * the whole document to answer even an `_id`-only lookup, ~0.5 s for a 10 MiB image.
   */
  private readonly known = new Set<string>();

  constructor(private readonly models: Models) {}

  private remember(key: string): void {
    if (this.known.size >= KNOWN_MAX) this.known.clear();
    this.known.add(key);
  }

  private static key(userId: string, sha256: string): string {
    return `${userId}:${sha256}`;
  }

  /** Stores the bytes for the user unless they already have them; `created` says which. */
  async save(userId: string, bytes: Buffer, mime: AssetMime): Promise<{ sha256: string; url: string; created: boolean }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const _id = AssetStore.key(userId, sha256);
    const answer = (created: boolean) => {
      this.remember(_id);
      return { sha256, url: assetPath(sha256), created };
    };
    if (await this.owns(userId, sha256)) return answer(false);
    try {
      await this.models.Asset.create({ _id, userId: new Types.ObjectId(userId), sha256, mime, size: bytes.length, data: bytes, createdAt: new Date() });
    } catch (err) {
      // The same image uploaded twice at once (two tabs, a retried request): the other one won.
      if ((err as { code?: number }).code === 11000) return answer(false);
      throw err;
    }
    return answer(true);
  }

  async read(userId: string, sha256: string): Promise<StoredAsset | null> {
    const doc = await this.models.Asset.findById(AssetStore.key(userId, sha256)).lean();
    if (!doc) return null;
    return { sha256: doc.sha256, mime: doc.mime, size: doc.size, data: bytesOf(doc.data) };
  }

  /** Whether the user uploaded these bytes. */
  async owns(userId: string, sha256: string): Promise<boolean> {
    const key = AssetStore.key(userId, sha256);
    if (this.known.has(key)) return true;
    const found = (await this.models.Asset.exists({ _id: key })) !== null;
    if (found) this.remember(key);
    return found;
  }
}
