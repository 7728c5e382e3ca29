/**
 * `zpub`'s commands: parses the command line, finds the saved login, runs the command and
 * answers the exit code (errors.ts). main.ts runs it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { connect } from './client';
import { DEFAULT_SERVER, normalizeServer, readConfig } from './config';
import { loadEnv, type CliEnv } from './env';
import { CliError, EXIT, type ExitCode } from './errors';
import { accounts } from './commands/accounts';
import type { Context } from './commands/context';
import { login, readStdin } from './commands/login';
import { publish } from './commands/publish';
import { status, steer } from './commands/status';

export const USAGE = `zpub: publish Markdown files to Zhihu columns through a zpub server

Usage:
  zpub login --token <token> [--server <url>]   check a personal API token (create one on the
                                                app's API tokens page) and keep it; --token -
                                                reads it from standard input
  zpub accounts                                 the accounts you publish with
  zpub publish <files or folders...> --account <name> [--topics a,b] [--draft] [--wait] [--no-write-back] [-r]
                                                publish the Markdown files (a folder: its *.md
                                                files; -r, --recursive: its subfolders' too,
                                                hidden ones left out); unchanged ones are
                                                skipped, and one that was published before is
                                                updated in place; --draft saves them to
                                                Zhihu's drafts instead
  zpub status [batch|task]                      your latest tasks, or one batch or task
  zpub cancel <task|batch>
  zpub retry <task|batch>

Front matter (YAML between --- lines): title (or the first "# " line), topics (or tags),
column, cover, statement, comment, schedule, priority, draft (true: save as a draft). After a publish zpub writes zhihu-id,
zhihu-link and zpub-hash into it (zpub-task while a task runs); --no-write-back leaves the
files alone, and the next run then publishes them again.

Exit codes: 0 done; 1 something was not published or could not be done; 2 bad command line;
3 not logged in, or the token was refused; 4 the server cannot be reached.
Environment: ZPUB_SERVER and ZPUB_TOKEN override the saved login; XDG_CONFIG_HOME; NO_COLOR.`;

const OPTIONS = {
  token: { type: 'string' },
  server: { type: 'string' },
  account: { type: 'string' },
  topics: { type: 'string' },
  wait: { type: 'boolean', default: false },
  draft: { type: 'boolean', default: false },
  recursive: { type: 'boolean', short: 'r', default: false },
  'no-write-back': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  login: ['token', 'server'],
  accounts: ['server'],
  publish: ['server', 'account', 'topics', 'draft', 'wait', 'no-write-back', 'recursive'],
  status: ['server'],
  cancel: ['server'],
  retry: ['server'],
};

function parse(argv: string[]): Parsed {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]}\nRun \`zpub --help\` for the commands.`, EXIT.usage);
  }
}

/** The saved login, with ZPUB_SERVER / ZPUB_TOKEN / --server taking precedence. */
async function session(env: CliEnv, serverFlag: string | undefined): Promise<{ server: string; token: string }> {
  const saved = await readConfig(env.configFile);
  const token = env.token ?? saved?.token;
  if (!token) throw new CliError('Not logged in: create a token on the API tokens page of the app, then run `zpub login --token <token> --server <address of the app>`', EXIT.auth);
  const server = normalizeServer(serverFlag ?? env.server ?? saved?.server ?? DEFAULT_SERVER);
  return { server, token };
}

export async function run(argv: string[], env: CliEnv = loadEnv()): Promise<ExitCode> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  const allowed = ALLOWED[command];
  if (!allowed) throw new CliError(`Unknown command "${command}". Run \`zpub --help\` for the commands.`, EXIT.usage);
  const extra = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((k) => k !== 'help' && values[k] !== undefined && values[k] !== false && !allowed.includes(k));
  if (extra.length > 0) throw new CliError(`zpub ${command} takes no --${extra.join(', --')}`, EXIT.usage);

  if (command === 'login') {
    if (rest.length > 0) throw new CliError('zpub login takes no arguments besides --token and --server', EXIT.usage);
    const given = values.token ?? env.token;
    if (given === undefined) throw new CliError('zpub login needs --token <token> (or --token - to read it from standard input)', EXIT.usage);
    const token = given === '-' ? await readStdin() : given.trim();
    const saved = await readConfig(env.configFile).catch(() => null);
    return login(env, normalizeServer(values.server ?? env.server ?? saved?.server ?? DEFAULT_SERVER), token, out);
  }

  const { server, token } = await session(env, values.server);
  const ctx: Context = { env, server: connect(server, token), out, err };
  switch (command) {
    case 'accounts':
      if (rest.length > 0) throw new CliError('zpub accounts takes no arguments', EXIT.usage);
      return accounts(ctx);
    case 'publish': {
      if (rest.length === 0) throw new CliError('zpub publish needs the Markdown files or folders to publish', EXIT.usage);
      if (!values.account) throw new CliError('zpub publish needs --account <name> (`zpub accounts` lists them)', EXIT.usage);
      const topics = values.topics?.split(/[,，]/).map((s) => s.trim()).filter((s) => s !== '');
      return publish(ctx, rest, { account: values.account, topics, draft: values.draft, recursive: values.recursive, wait: values.wait, writeBack: !values['no-write-back'] });
    }
    case 'status':
      if (rest.length > 1) throw new CliError('zpub status takes at most one batch or task id', EXIT.usage);
      return status(ctx, rest[0]);
    default: {
      const [id, ...more] = rest;
      if (id === undefined || more.length > 0) throw new CliError(`zpub ${command} takes one task or batch id`, EXIT.usage);
      return steer(ctx, command === 'cancel' ? 'cancel' : 'retry', id);
    }
  }
}
