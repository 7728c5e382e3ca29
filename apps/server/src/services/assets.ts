/**
 * Images users upload (pasted into the composer, dropped with a batch folder), kept per user and
 * addressed by the SHA-256 of their bytes: `/assets/<sha256>` in Markdown. The same bytes uploaded
 * twice by one user are one document; another user's upload of the same bytes is their own.
 */
import { createHash } from 'node:crypto';
import { assetPath, type AssetMime } from '@zpub/shared';
import type { Models } from '@zpub/shared/node';
import { Types } from 'mongoose';

// Moved to @zpub/shared, where the CLI reads the same signatures before uploading.
export { sniffImageType, type AssetMime } from '@zpub/shared';

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
