/**
 * `zpub login --token <token> [--server <url>]`: asks the server who the token belongs to, and
 * only then keeps server and token in the config file (0600). `--token -` reads it from standard
 * input, which keeps it out of the shell's history.
 */
import { API_TOKEN_PATTERN } from '@zpub/shared';
import { connect, failure } from '../client';
import { writeConfig } from '../config';
import type { CliEnv } from '../env';
import { CliError, EXIT, type ExitCode } from '../errors';
import { t } from '../i18n';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function login(env: CliEnv, server: string, token: string, out: (s: string) => void): Promise<ExitCode> {
  // Never echoed back: a mistyped token may still be most of a real one.
  if (!API_TOKEN_PATTERN.test(token)) {
    throw new CliError(t.notAToken, EXIT.auth);
  }
  const { api } = connect(server, token);
  const me = await api.auth.me.query().catch((err: unknown) => {
    throw failure(err, server);
  });
  if (!me) {
    throw new CliError(t.tokenRefused(server), EXIT.auth);
  }
  await writeConfig(env.configFile, { server, token });
  out(t.loggedIn(server, me.email, env.configFile));
  return EXIT.ok;
}
