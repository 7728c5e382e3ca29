/**
 * The CLI's login: the server's address and the token, in one JSON file readable by its owner
 * only (0600, in a 0700 folder). Written to a temporary file first and renamed, so a crash never
 * leaves half a file, and the token is never briefly readable by others.
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './errors';
import { t } from './i18n';

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

const configSchema = z.object({ server: z.string(), token: z.string() });
export type CliConfig = z.infer<typeof configSchema>;

export async function readConfig(file: string): Promise<CliConfig | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(t.configUnreadable(file, (err as Error).message), EXIT.failed);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(t.configNotJson(file), EXIT.auth);
  }
  const config = configSchema.safeParse(parsed);
  if (!config.success) throw new CliError(t.configIncomplete(file), EXIT.auth);
  // Someone loosened it (or an old copy was restored): the token is a password, keep it private.
  const mode = (await stat(file)).mode & 0o777;
  if (mode !== 0o600) await chmod(file, 0o600);
  return config.data;
}

export async function writeConfig(file: string, config: CliConfig): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await chmod(file, 0o600);
}

/** `http://host:port` without a trailing slash or path; anything else is a usage error. */
export function normalizeServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new CliError(t.serverNotAddress(raw), EXIT.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(t.serverNotHttp(url.protocol), EXIT.usage);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
