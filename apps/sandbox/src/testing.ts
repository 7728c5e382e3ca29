import { deflateSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from './app.js';
import { loginCookieValue } from './http.js';
import type { Sandbox, SandboxOptions } from './app.js';

// Helpers for the suites in this folder: an in-process sandbox on a free port and a small HTTP
// client that speaks as a given account, with the xsrf pair a page would send and, when given,
// the `__zse_ck` that passes the article pages' anti-crawler check.

/** The `_xsrf` cookie and `x-xsrftoken` header every client sends, as a Zhihu page would. */
export const TEST_XSRF = 'sandbox-test-xsrf';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({ host: '127.0.0.1', port: 0, delayMs: 0, ...options });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; undefined when it is not JSON. */
  json: unknown;
}

export interface Client {
  (method: string, path: string, body?: unknown): Promise<Reply>;
}

export function client(base: string, account?: string, options: { zse?: string; xsrf?: boolean } = {}): Client {
  return async (method, path, body) => {
    const cookies = [`_xsrf=${TEST_XSRF}`];
    if (account) cookies.push(`z_c0=${loginCookieValue(account)}`);
    if (options.zse) cookies.push(`__zse_ck=${options.zse}`);
    const headers: Record<string, string> = { cookie: cookies.join('; ') };
    if (options.xsrf !== false) headers['x-xsrftoken'] = TEST_XSRF;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** Creates a draft as `account` and returns its id. */
export async function createDraft(base: string, account: string, title = '草稿', content = '<p>正文</p>'): Promise<string> {
  const reply = await client(base, account)('POST', '/api/articles/drafts', { title, content, delta_time: 0 });
  const id = (reply.json as { id?: unknown } | undefined)?.id;
  if (reply.status !== 200 || typeof id !== 'string') throw new Error(`draft not created: ${reply.status} ${reply.text}`);
  return id;
}

export interface PublishInput {
  title?: string;
  content?: string;
  topics?: string[];
}

/** The `__zse_ck` value the article pages' challenge script sets, read as a scraper would. */
export async function challengeToken(base: string): Promise<string> {
  const reply = await client(base)('GET', '/p/1000000000000000000');
  const token = /__zse_ck=' \+ "([0-9a-f]+)"/.exec(reply.text)?.[1];
  if (reply.status !== 403 || !token) throw new Error(`no challenge at /p/: ${reply.status}`);
  return token;
}

/** Creates a draft and publishes it the legacy way (PUT /api/articles/<id>/publish); returns the draft id and the reply. */
export async function publishArticle(base: string, account: string, input: PublishInput = {}): Promise<{ id: string; reply: Reply }> {
  const title = input.title ?? '一篇文章';
  const content = input.content ?? '<p>正文</p>';
  const id = await createDraft(base, account, title, content);
  const reply = await client(base, account)('PUT', `/api/articles/${id}/publish`, {
    title,
    content,
    topics: input.topics ?? ['19550000'],
    column: null,
    commentPermission: 'anyone',
  });
  return { id, reply };
}

export interface TodayInput extends PublishInput {
  column?: string | null;
  commentPermission?: string;
  statement?: string;
}

/** Creates a draft, attaches its topics and publishes it the way today's editor page does. */
export async function publishToday(base: string, account: string, input: TodayInput = {}): Promise<{ id: string; reply: Reply }> {
  const as = client(base, account);
  const id = await createDraft(base, account, input.title ?? '一篇文章', input.content ?? '<p>正文</p>');
  for (const topic of input.topics ?? ['19550000']) {
    const attached = await as('POST', `/api/articles/${id}/topics`, { id: topic, type: 'topic' });
    if (attached.status !== 200) throw new Error(`topic not attached: ${attached.status} ${attached.text}`);
  }
  const statement = input.statement ?? 'none';
  const reply = await as('POST', '/api/v4/content/publish', {
    action: 'article',
    data: {
      draft: { id, disabled: 1, isPublished: false },
      extra_info: { publisher: 'pc', pc_business_params: JSON.stringify({ column: input.column ? { id: input.column } : null }) },
      commentsPermission: { comment_permission: input.commentPermission ?? 'anyone' },
      creationStatement: { disclaimer_type: statement, disclaimer_status: statement === 'none' ? 'close' : 'open' },
    },
  });
  return { id, reply };
}

export function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'zpub-sandbox-'));
}

export function removeDir(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true });
}

/** Reads script#js-initialData out of an article page. */
export function initialData(html: string): unknown {
  const m = /<script id="js-initialData" type="text\/json">([\s\S]*?)<\/script>/.exec(html);
  return m ? (JSON.parse(m[1] ?? '') as unknown) : undefined;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid 1x1 PNG of one colour: distinct colours give distinct bytes (and MD5s). */
export function pngBytes(r: number, g: number, b: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const pixels = deflateSync(Buffer.from([0, r, g, b]));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
