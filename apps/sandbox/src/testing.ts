import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from './app.js';
import type { Sandbox, SandboxOptions } from './app.js';

// Helpers for the suites in this folder: an in-process sandbox on a free port and a small HTTP
// client that speaks as a given account.

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

export function client(base: string, account?: string): Client {
  return async (method, path, body) => {
    const headers: Record<string, string> = {};
    if (account) headers.cookie = `z_c0=sandbox-${account}`;
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

/** Creates a draft and publishes it the way the editor page does; returns the draft id and the reply. */
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
