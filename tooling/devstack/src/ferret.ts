import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensureFerretdb } from './binaries.js';
import { ServiceHandle, spawnReady, type ProcessHandle } from './proc.js';
import { startWithPortRetry } from './ports.js';
import { type Env, which } from './util.js';

export interface FerretOptions {
  /** SQLite databases and FerretDB state live here; created if missing. */
  dir: string;
  port?: number;
  /** Default <dir>/ferretdb.log. */
  logFile?: string;
  /** Path of the ferretdb binary; default ensureFerretdb(). */
  bin?: string;
  readyTimeoutMs?: number;
}

export interface FerretHandle extends ProcessHandle {
  readonly dir: string;
  /** mongodb://127.0.0.1:<port>/<dbName> */
  uri(dbName: string): string;
}

// --- a MongoDB `hello` over OP_MSG, by hand (no driver needed) ------------------------------

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}
const cstring = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

function helloMessage(requestId: number): Buffer {
  const elements = Buffer.concat([
    Buffer.from([0x10]), cstring('hello'), int32(1), // hello: 1 (int32)
    Buffer.from([0x02]), cstring('$db'), int32(6), cstring('admin'), // $db: "admin"
  ]);
  const doc = Buffer.concat([int32(4 + elements.length + 1), elements, Buffer.from([0])]);
  const body = Buffer.concat([int32(0) /* flagBits */, Buffer.from([0]) /* section kind 0 */, doc]);
  // header: messageLength, requestID, responseTo, opCode 2013 (OP_MSG)
  return Buffer.concat([int32(16 + body.length), int32(requestId), int32(0), int32(2013), body]);
}

/** Reads the top-level `ok` field of a BSON document (number or bool), or undefined. */
function bsonOk(doc: Buffer): number | undefined {
  let i = 4;
  while (i < doc.length - 1) {
    const type = doc[i];
    const nameEnd = doc.indexOf(0, i + 1);
    if (type === undefined || nameEnd < 0) return undefined;
    const name = doc.toString('utf8', i + 1, nameEnd);
    let p = nameEnd + 1;
    let value: number | undefined;
    switch (type) {
      case 0x01: value = doc.readDoubleLE(p); p += 8; break;
      case 0x10: value = doc.readInt32LE(p); p += 4; break;
      case 0x12: value = Number(doc.readBigInt64LE(p)); p += 8; break;
      case 0x08: value = doc[p] ?? 0; p += 1; break;
      case 0x02: case 0x0d: case 0x0e: p += 4 + doc.readInt32LE(p); break;
      case 0x03: case 0x04: p += doc.readInt32LE(p); break;
      case 0x05: p += 5 + doc.readInt32LE(p); break;
      case 0x07: p += 12; break;
      case 0x09: case 0x11: p += 8; break;
      case 0x0a: case 0x06: case 0xff: case 0x7f: break;
      case 0x13: p += 16; break;
      default: return undefined;
    }
    if (name === 'ok') return value;
    i = p;
  }
  return undefined;
}

/** Sends `hello` as OP_MSG; true when the reply is an OP_MSG whose document has ok: 1. */
export function mongoHello(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    let buf = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write(helloMessage(1)));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const len = buf.readInt32LE(0);
      if (buf.length < len) return;
      const opCode = buf.readInt32LE(12);
      if (opCode !== 2013 || buf[20] !== 0) return done(false);
      done(bsonOk(buf.subarray(21, len)) === 1);
    });
  });
}

class Ferret extends ServiceHandle implements FerretHandle {
  constructor(
    port: number,
    logFile: string,
    readonly dir: string,
    launch: (port: number) => ReturnType<typeof spawnReady>,
  ) {
    super('ferretdb', port, logFile, launch, 10_000);
  }

  uri(dbName: string): string {
    return `mongodb://127.0.0.1:${this.port}/${dbName}`;
  }
}

/**
 * Starts FerretDB v1.24.2 with its SQLite backend in `dir`; ready when it answers a MongoDB
 * `hello` (OP_MSG) with ok: 1. Telemetry off, log level warn, no debug HTTP listener.
 */
export async function startFerret(opts: FerretOptions): Promise<FerretHandle> {
  const bin = opts.bin ?? (await ensureFerretdb());
  mkdirSync(opts.dir, { recursive: true });
  const logFile = opts.logFile ?? join(opts.dir, 'ferretdb.log');
  const env: Env = { PATH: process.env['PATH'], HOME: process.env['HOME'], LANG: process.env['LANG'] };
  const dirUrl = opts.dir.endsWith('/') ? opts.dir : `${opts.dir}/`;
  const launch = (port: number): ReturnType<typeof spawnReady> =>
    spawnReady(
      {
        name: 'ferretdb',
        command: bin,
        args: [
          '--handler=sqlite',
          // WAL with synchronous=NORMAL: a commit no longer waits for an fsync (checkpoints still
          // do). A killed FerretDB loses nothing; only an OS crash may lose the last commits.
          `--sqlite-url=file:${dirUrl}?_pragma=synchronous(normal)`,
          `--listen-addr=127.0.0.1:${port}`,
          `--state-dir=${opts.dir}`,
          '--debug-addr=-',
          '--telemetry=disable',
          '--log-level=warn',
        ],
        env,
        cwd: opts.dir,
        logFile,
      },
      () => mongoHello(port),
      { what: `a MongoDB hello answered on port ${port}`, timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 50 },
    );
  return startWithPortRetry(opts.port, (port) => new Ferret(port, logFile, opts.dir, launch));
}

// --- the _id index FerretDB's own lookups can use ---------------------------------------------

/**
 * FerretDB v1.24's SQLite backend looks documents up by `_id` with
 * `WHERE _ferretdb_sjson->'$._id' = ?`, but indexes `_id` as `_ferretdb_sjson->"_id"`. SQLite
 * only uses an expression index for the same expression, so every find, update and delete by
 * `_id` scans the table up to the document: the newest task in a 20,000-task collection costs
 * ~100 ms of CPU to find and ~170 ms to update, against ~1 ms with an index. This adds the index
 * that matches the lookup to every collection table of `dbName` (FerretDB keeps it up to date
 * like any SQLite index and never lists it). Needs the `sqlite3` program (Debian package
 * `sqlite3`); without it the stack still works, only slower, and a warning says so.
 */
export async function indexFerretIds(dir: string, dbName: string, warn: (line: string) => void = (l) => process.stderr.write(`[devstack] ${l}\n`)): Promise<string[]> {
  const file = join(dir, `${dbName}.sqlite`);
  const sqlite3 = which('sqlite3');
  if (sqlite3 === undefined) {
    warn('sqlite3 is not installed (apt-get install sqlite3): FerretDB will scan whole collections to find a document by _id');
    return [];
  }
  if (!existsSync(file)) return [];
  const run = (sql: string): Promise<string> =>
    new Promise((resolve, reject) => {
      // FerretDB holds the file open (WAL): wait for its write lock rather than fail.
      execFile(sqlite3, ['-cmd', '.timeout 10000', file, sql], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`sqlite3: ${stderr.trim() || err.message}`)) : resolve(stdout),
      );
    });
  try {
    const tables = (await run('SELECT table_name FROM _ferretdb_collections'))
      .split('\n')
      .map((t) => t.trim())
      .filter((t) => /^[A-Za-z0-9_]+$/.test(t));
    if (tables.length === 0) return [];
    await run(tables.map((t) => `CREATE INDEX IF NOT EXISTS "${t}_zpub_id_lookup" ON "${t}" (_ferretdb_sjson->'$._id');`).join('\n'));
    return tables;
  } catch (err) {
    warn(`could not add the _id lookup indexes to ${file}: ${(err as Error).message}`);
    return [];
  }
}
