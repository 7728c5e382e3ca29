import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensureBinary } from './binaries.js';
import { startWithPortRetry } from './ports.js';
import { ServiceHandle, spawnReady, type ProcessHandle } from './proc.js';
import { type Env } from './util.js';

export interface RedisOptions {
  /** Data folder (AOF lives in <dir>/appendonlydir); created if missing. */
  dir: string;
  /** Fixed port; a free one when absent. */
  port?: number;
  /** Default <dir>/redis.log. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface RedisHandle extends ProcessHandle {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly dir: string;
}

/** Sends PING over a raw socket; true on +PONG (a loading Redis answers -LOADING, which is false). */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

class Redis extends ServiceHandle implements RedisHandle {
  constructor(
    port: number,
    logFile: string,
    readonly dir: string,
    launch: (port: number) => ReturnType<typeof spawnReady>,
  ) {
    super('redis', port, logFile, launch, 10_000);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

/**
 * Starts the system redis-server on 127.0.0.1 with AOF persistence (everysec) and no RDB
 * snapshots; ready when PING answers PONG. `restart()` keeps port and folder, so data survives.
 */
export async function startRedis(opts: RedisOptions): Promise<RedisHandle> {
  const bin = ensureBinary('redis-server');
  mkdirSync(opts.dir, { recursive: true });
  const logFile = opts.logFile ?? join(opts.dir, 'redis.log');
  const env: Env = { PATH: process.env['PATH'], HOME: process.env['HOME'], LANG: process.env['LANG'] };
  const launch = (port: number): ReturnType<typeof spawnReady> =>
    spawnReady(
      {
        name: 'redis',
        command: bin,
        // prettier-ignore
        args: [
          '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir,
          '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
          '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning',
          // A task's row holds values up to a couple of hundred bytes (a CJK title, the result or
          // error JSON): kept as a listpack instead of a hashtable, it takes about 40 % of the
          // memory (docs/state.md, "Redis memory per task").
          '--hash-max-listpack-value', '256',
        ],
        env,
        cwd: opts.dir,
        logFile,
      },
      () => redisPing(port),
      { what: `PING answered on port ${port}`, timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 50 },
    );
  return startWithPortRetry(opts.port, (port) => new Redis(port, logFile, opts.dir, launch));
}
