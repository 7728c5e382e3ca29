import type { Server } from '../client';
import type { CliEnv } from '../env';

/** What every command gets: where it runs, the server it talks to, and where it writes. */
export interface Context {
  env: CliEnv;
  server: Server;
  out(line: string): void;
  err(line: string): void;
}
