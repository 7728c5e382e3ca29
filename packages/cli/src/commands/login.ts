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

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export async function login(env: CliEnv, server: string, token: string, out: (s: string) => void): Promise<ExitCode> {
  // Never echoed back: a mistyped token may still be most of a real one.
  if (!API_TOKEN_PATTERN.test(token)) {
    throw new CliError('That is not a zpub API token (they start with "zpub_" followed by 43 letters, digits, "-" or "_"). Copy it again from the API tokens page of the app', EXIT.auth);
  }
  const { api } = connect(server, token);
  const me = await api.auth.me.query().catch((err: unknown) => {
    throw failure(err, server);
  });
  if (!me) {
    throw new CliError(`${server} refused the token: it is wrong or was revoked. Create a new one on the API tokens page (${server}/tokens)`, EXIT.auth);
  }
  await writeConfig(env.configFile, { server, token });
  out(`Logged in to ${server} as ${me.email}; the token is kept in ${env.configFile} (readable by you only).`);
  return EXIT.ok;
}
