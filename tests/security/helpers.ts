/**
 * What the security suites share: raw requests (a browser or an attacker does not use our tRPC
 * client), a user behind a chosen client address, a second server process on the same stack,
 * and dumps of everything stored (MongoDB, Redis) to search or compare.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startApp, type AppHandle, type Env } from '@zpub/devstack';
import type mongoose from 'mongoose';
import { createClient } from 'redis';
import { appRouter } from '../../apps/server/src/routers/_app';
import { User } from '../support/client';
import type { TestStack } from '../support/stack';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** tRPC's error shape, when the answer is one. */
  error: { message: string; code: string; appCode: string | null; retryAfterS: number | null } | null;
  json: unknown;
}

export async function answer(res: Response): Promise<RawAnswer> {
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: a static file or a plain-text answer
  }
  const e = (json as { error?: { message?: string; data?: { code?: string; appCode?: string | null; retryAfterS?: number | null } } } | null)?.error;
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    error: e ? { message: e.message ?? '', code: e.data?.code ?? 'UNKNOWN', appCode: e.data?.appCode ?? null, retryAfterS: e.data?.retryAfterS ?? null } : null,
  };
}

/** POSTs a body (JSON-encoded unless it is already a string or stream) to `/trpc/<path>`. */
export async function postTrpc(
  who: User,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const raw = typeof body === 'string' || body instanceof ReadableStream || body === undefined ? body : JSON.stringify(body);
  const res = await who.fetch(`${who.baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: raw as BodyInit | undefined,
    // Needed by Node's fetch for a streamed body (sent chunked, with no Content-Length).
    duplex: 'half',
  } as RequestInit);
  return answer(res);
}

/** A GET of a query, as the tRPC client sends it. */
export async function getTrpc(who: User, path: string, input?: unknown): Promise<RawAnswer> {
  const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return answer(await who.fetch(`${who.baseUrl}/trpc/${path}${q}`));
}

/**
 * A user whose requests arrive through a reverse proxy that saw them from `ip` (the server runs
 * with TRUST_PROXY=1 in the suites that use it), so sign-in limits per address can be tested
 * without every test sharing 127.0.0.1.
 */
export class UserAt extends User {
  constructor(
    baseUrl: string,
    public ip: string,
    origin: string | null = baseUrl,
  ) {
    super(baseUrl, origin);
  }

  override fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    if (!headers.has('X-Forwarded-For')) headers.set('X-Forwarded-For', this.ip);
    return super.fetch(input, { ...init, headers });
  }

  static async registerAt(baseUrl: string, ip: string, email = uniqueEmail(), password = 'correct horse battery'): Promise<UserAt> {
    const user = new UserAt(baseUrl, ip);
    await user.api.auth.register.mutate({ email, password });
    return user;
  }
}

export function uniqueEmail(tag = 'u'): string {
  return `${tag}${Date.now()}${Math.random().toString(36).slice(2, 8)}@example.com`;
}

let ipCounter = 0;
/** A fresh documentation-range address per call (RFC 5737), so no two tests share a limit. */
export function freshIp(): string {
  ipCounter++;
  return `198.51.${100 + Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

/** Another server process on the same MongoDB and Redis (what a second machine would be). */
export async function startExtraServer(stack: TestStack, label: string, env: Env = {}): Promise<AppHandle> {
  const port = await freePort();
  return startApp('server', {
    port,
    label,
    logFile: join(stack.dir, 'logs', `${label}.log`),
    graceMs: 10_000,
    env: { ...stack.server.env, PORT: String(port), PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, ...env },
  });
}

/** Every procedure of the API with its kind, read from the router itself. */
export function procedures(): { path: string; type: 'query' | 'mutation' | 'subscription' }[] {
  // Typed as the nested router, but at run time a flat record keyed by the full path.
  const procs = appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>;
  return Object.entries(procs).map(([path, p]) => ({ path, type: p._def.type }));
}

const COLLECTIONS = ['users', 'sessions', 'api_tokens', 'accounts', 'tasks', 'task_contents', 'task_timelines', 'evidence', 'assets'] as const;

/** A fingerprint of every stored document, per collection: equal fingerprints, nothing changed. */
export async function snapshot(db: mongoose.Connection): Promise<Record<string, { count: number; digest: string }>> {
  const out: Record<string, { count: number; digest: string }> = {};
  for (const name of COLLECTIONS) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    out[name] = { count: docs.length, digest: createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16) };
  }
  return out;
}

/** Waits until two snapshots a moment apart agree (background writers have caught up). */
export async function settledSnapshot(db: mongoose.Connection): Promise<Awaited<ReturnType<typeof snapshot>>> {
  let last = await snapshot(db);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await snapshot(db);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('The database never settled');
}

/** Every key of the Redis and its value, as text, whatever its type. */
export async function dumpRedis(url: string): Promise<{ key: string; type: string; text: string }[]> {
  const client = createClient({ url });
  await client.connect();
  try {
    const out: { key: string; type: string; text: string }[] = [];
    for await (const keys of client.scanIterator({ COUNT: 500 })) {
      for (const key of keys) {
        const type = await client.type(key);
        let value: unknown;
        switch (type) {
          case 'string':
            value = await client.get(key);
            break;
          case 'hash':
            value = await client.hGetAll(key);
            break;
          case 'list':
            value = await client.lRange(key, 0, -1);
            break;
          case 'set':
            value = await client.sMembers(key);
            break;
          case 'zset':
            value = await client.zRangeWithScores(key, 0, -1);
            break;
          case 'stream':
            value = await client.xRange(key, '-', '+');
            break;
          default:
            value = `(type ${type})`;
        }
        out.push({ key, type, text: typeof value === 'string' ? value : JSON.stringify(value) });
      }
    }
    return out;
  } finally {
    await client.quit();
  }
}

/** The text of every log file of the stack: Redis, FerretDB, sandbox, servers, workers. */
export function stackLogs(stack: TestStack): { file: string; text: string }[] {
  const dir = join(stack.dir, 'logs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
