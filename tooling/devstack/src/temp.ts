import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Removes the folder and everything in it (idempotent). */
  cleanup(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A fresh folder under the system temp dir, e.g. tempDir('zpub-stack-') -> /tmp/zpub-stack-AbC123. */
export async function tempDir(prefix = 'zpub-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = async (): Promise<void> => {
    await rm(path, { recursive: true, force: true, maxRetries: 3 });
  };
  return { path, cleanup, [Symbol.asyncDispose]: cleanup };
}
