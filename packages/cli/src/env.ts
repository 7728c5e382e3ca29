/** The only reader of process.env: where the config lives, and overrides for scripts and CI. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { langOf, type Lang } from './i18n';

export interface CliEnv {
  /** `$XDG_CONFIG_HOME/zpub/config.json`, default `~/.config/zpub/config.json`. */
  configFile: string;
  /** ZPUB_SERVER / ZPUB_TOKEN win over the config file (CI jobs keep the token in a secret). */
  server: string | undefined;
  token: string | undefined;
  /** Where relative paths are read from: where the person typed the command, also under `pnpm zpub`. */
  cwd: string;
  color: boolean;
  /** What zpub speaks: ZPUB_LANG, else the locale's language (Chinese when it names none). */
  lang: Lang;
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const base = source.XDG_CONFIG_HOME && source.XDG_CONFIG_HOME.startsWith('/') ? source.XDG_CONFIG_HOME : join(source.HOME ?? homedir(), '.config');
  return {
    configFile: join(base, 'zpub', 'config.json'),
    server: nonEmpty(source.ZPUB_SERVER),
    token: nonEmpty(source.ZPUB_TOKEN),
    // `pnpm zpub` runs in the repository root and says where the command was typed; INIT_CWD
    // inherited from some other script (zpub started by a program pnpm ran) means nothing here.
    cwd: (source.npm_lifecycle_event === 'zpub' ? nonEmpty(source.INIT_CWD) : undefined) ?? process.cwd(),
    color: source.NO_COLOR === undefined && source.FORCE_COLOR !== '0',
    lang: langOf(source),
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
