/**
 * Uploading an image to the app (`POST /assets`, the raw file as the body): answers the Markdown
 * path `/assets/<sha256>`. What the server would refuse for size or type is refused here first,
 * without sending megabytes for nothing.
 */
import { ASSET_MAX_BYTES, ASSET_MIME_TYPES } from '@zpub/shared';
import { t } from '../i18n';
import { signedOut } from './session';

export class UploadError extends Error {}

const MIMES: readonly string[] = ASSET_MIME_TYPES;
const IMAGE_NAME = /\.(png|jpe?g|gif|webp)$/i;

/** Whether a file looks like an image we take (by its type, or by its name when the type is unknown). */
export function isImageFile(file: { name: string; type: string }): boolean {
  return file.type !== '' ? MIMES.includes(file.type) : IMAGE_NAME.test(file.name);
}

/** What is wrong with a file before it is sent, or null. */
export function uploadProblem(file: { name: string; type: string; size: number }): string | null {
  if (!isImageFile(file)) return t.upload.notImage(file.name);
  if (file.size > ASSET_MAX_BYTES) return t.upload.tooLarge(file.name, ASSET_MAX_BYTES / 1024 / 1024);
  if (file.size === 0) return t.upload.empty(file.name);
  return null;
}

interface Refusal {
  error?: { message?: string; data?: { appCode?: string } };
}

export async function uploadImage(file: File): Promise<string> {
  const problem = uploadProblem(file);
  if (problem) throw new UploadError(problem);
  let res: Response;
  try {
    res = await fetch('/assets', { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream' } });
  } catch {
    throw new UploadError(t.upload.network(file.name));
  }
  const body = (await res.json().catch(() => ({}))) as { url?: unknown } & Refusal;
  if (res.ok && typeof body.url === 'string') return body.url;
  const code = body.error?.data?.appCode;
  if (res.status === 401) signedOut(true);
  switch (code) {
    case 'TOO_LARGE':
      throw new UploadError(t.upload.tooLarge(file.name, ASSET_MAX_BYTES / 1024 / 1024));
    case 'UNSUPPORTED_IMAGE':
      throw new UploadError(t.upload.notImage(file.name));
    case 'EMPTY':
      throw new UploadError(t.upload.empty(file.name));
    case 'UNAUTHORIZED':
      throw new UploadError(t.api.unauthorized);
    default:
      throw new UploadError(t.upload.failed(file.name, res.status));
  }
}

/** The message of an upload failure, whatever was thrown. */
export function uploadMessage(err: unknown): string {
  return err instanceof UploadError ? err.message : t.upload.failed('', 0);
}
