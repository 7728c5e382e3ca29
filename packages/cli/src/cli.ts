/**
 * `zpub`'s commands: parses the command line, finds the saved login, runs the command and
 * answers the exit code (errors.ts). main.ts runs it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { connect } from './client';
import { DEFAULT_SERVER, normalizeServer, readConfig } from './config';
import { loadEnv, type CliEnv } from './env';
import { CliError, EXIT, type ExitCode } from './errors';
import { t, useLang } from './i18n';
import { accounts } from './commands/accounts';
import type { Context } from './commands/context';
import { login, readStdin } from './commands/login';
import { publish } from './commands/publish';
import { status, steer } from './commands/status';

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
    throw new CliError(t.badCommandLine(parseError(err)), EXIT.usage);
  }
}

/** parseArgs' refusal in the run's language: what it names (an option, an argument) is data. */
function parseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).split('\n')[0] ?? '';
  const named = /'([^']+)'/.exec(message)?.[1];
  if (named !== undefined) {
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return t.unknownOption(named);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return t.optionNeedsValue(named.split(/[ ,]/)[0] ?? named);
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return t.unexpectedArgument(named);
  }
  return message;
}

/** The saved login, with ZPUB_SERVER / ZPUB_TOKEN / --server taking precedence. */
async function session(env: CliEnv, serverFlag: string | undefined): Promise<{ server: string; token: string }> {
  const saved = await readConfig(env.configFile);
  const token = env.token ?? saved?.token;
  if (!token) throw new CliError(t.notLoggedIn, EXIT.auth);
  const server = normalizeServer(serverFlag ?? env.server ?? saved?.server ?? DEFAULT_SERVER);
  return { server, token };
}

export async function run(argv: string[], env: CliEnv = loadEnv()): Promise<ExitCode> {
  useLang(env.lang);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out(t.usage);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  const allowed = ALLOWED[command];
  if (!allowed) throw new CliError(t.unknownCommand(command), EXIT.usage);
  const extra = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((k) => k !== 'help' && values[k] !== undefined && values[k] !== false && !allowed.includes(k));
  if (extra.length > 0) throw new CliError(t.takesNoOption(command, extra), EXIT.usage);

  if (command === 'login') {
    if (rest.length > 0) throw new CliError(t.loginTakesNoArguments, EXIT.usage);
    const given = values.token ?? env.token;
    if (given === undefined) throw new CliError(t.loginNeedsToken, EXIT.usage);
    const token = given === '-' ? await readStdin() : given.trim();
    const saved = await readConfig(env.configFile).catch(() => null);
    return login(env, normalizeServer(values.server ?? env.server ?? saved?.server ?? DEFAULT_SERVER), token, out);
  }

  const { server, token } = await session(env, values.server);
  const ctx: Context = { env, server: connect(server, token), out, err };
  switch (command) {
    case 'accounts':
      if (rest.length > 0) throw new CliError(t.accountsTakesNoArguments, EXIT.usage);
      return accounts(ctx);
    case 'publish': {
      if (rest.length === 0) throw new CliError(t.publishNeedsFiles, EXIT.usage);
      if (!values.account) throw new CliError(t.publishNeedsAccount, EXIT.usage);
      const topics = values.topics?.split(/[,，]/).map((s) => s.trim()).filter((s) => s !== '');
      return publish(ctx, rest, { account: values.account, topics, draft: values.draft, recursive: values.recursive, wait: values.wait, writeBack: !values['no-write-back'] });
    }
    case 'status':
      if (rest.length > 1) throw new CliError(t.statusTakesOne, EXIT.usage);
      return status(ctx, rest[0]);
    default: {
      const [id, ...more] = rest;
      if (id === undefined || more.length > 0) throw new CliError(t.steerTakesOne(command), EXIT.usage);
      return steer(ctx, command === 'cancel' ? 'cancel' : 'retry', id);
    }
  }
}
