/**
 * Per-article publish settings that Zhihu's editor page offers next to topics: the column the
 * article goes to, a cover image, a creation statement (创作声明) and who may comment. Values are
 * Zhihu's own wire values (docs/zhihu.md gives the source of each); the SPA names them in Chinese.
 */
import { z } from 'zod';

/** `comment_permission` in the publish call; Zhihu's default is `anyone`. */
export const COMMENT_PERMISSIONS = ['anyone', 'followee', 'censor', 'nobody'] as const;
export const commentPermissionSchema = z.enum(COMMENT_PERMISSIONS);
export type CommentPermission = z.infer<typeof commentPermissionSchema>;

/** `disclaimer_type` in the publish call; `none` means no statement (`disclaimer_status: close`). */
export const CREATION_STATEMENTS = ['none', 'spoiler', 'medical_advice', 'fictional_creation', 'contain_finance', 'ai_creation'] as const;
export const creationStatementSchema = z.enum(CREATION_STATEMENTS);
export type CreationStatement = z.infer<typeof creationStatementSchema>;

/**
 * Images the user uploaded to zpub (dropped with a batch folder, pasted into the composer, sent by
 * the CLI) are referenced from Markdown as `/assets/<sha256>` on the app's own origin; the worker
 * re-hosts them on Zhihu before anything is published. Remote images stay `http(s)://` URLs.
 */
export const ASSET_PATH_PREFIX = '/assets/';
const ASSET_PATH = /^\/assets\/([a-f0-9]{64})$/;

/** The asset id (SHA-256 of the bytes, hex) an image `src` names, or null for any other src. */
export function assetIdOf(src: string): string | null {
  return ASSET_PATH.exec(src)?.[1] ?? null;
}

export function assetPath(sha256: string): string {
  return `${ASSET_PATH_PREFIX}${sha256}`;
}

/**
 * The text with this zpub's own absolute image addresses (`<origin>/assets/<sha256>`, as copied
 * from an image on its pages) written as the `/assets/<sha256>` path, which the worker uploads to
 * Zhihu from its own store. Left absolute, the address would go to Zhihu as a remote image to
 * fetch, and Zhihu cannot reach this machine.
 */
export function localAssetPaths(text: string, origin: string): string {
  if (!text.includes(ASSET_PATH_PREFIX)) return text;
  const escaped = origin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return text.replace(new RegExp(`${escaped}(/assets/[a-f0-9]{64})(?![a-f0-9])`, 'g'), '$1');
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An image an article names: a web address, or one of the user's uploaded images. */
export const imageRefSchema = z
  .string()
  .trim()
  .max(2048, 'An image address must be at most 2048 characters')
  .refine((s) => isHttpUrl(s) || assetIdOf(s) !== null, {
    message: 'Expected an http(s) image address or an uploaded image (/assets/<sha256>)',
    params: { reason: 'notAnImage' },
  });

/** A Zhihu column id: the last part of `https://zhuanlan.zhihu.com/<id>` (e.g. `c_1234567890`). */
export const columnIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A column is named by its id, the last part of its address (e.g. c_1234567890)');

export const zhihuOptionsShape = {
  column: columnIdSchema.optional(),
  cover: imageRefSchema.optional(),
  statement: creationStatementSchema.optional(),
  commentPermission: commentPermissionSchema.optional(),
};

/** A column of an account, as the account's login check found it on Zhihu. */
export const columnView = z.object({ id: z.string(), title: z.string() });
export type ColumnView = z.infer<typeof columnView>;

/** Largest image zpub accepts for upload (Zhihu's own limit for article images is larger). */
export const ASSET_MAX_BYTES = 10 * 1024 * 1024;
export const ASSET_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

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
