import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { ACCOUNT_NAME } from './faults.js';

// The small HTTP toolkit every route uses: Zhihu-shaped error answers, body readers with a size
// bound, cookie reading, and the answer helpers. Nothing here knows about articles or faults.

export const LOGIN_COOKIE = 'z_c0';
export const XSRF_COOKIE = '_xsrf';
const COOKIE_PREFIX = 'sandbox-';
const MAX_BODY_BYTES = 12 * 1024 * 1024;

/** An answer a route gives by throwing: the status and the JSON body Zhihu would send. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export function describeZod(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

export function paramsError(message: string): HttpError {
  return new HttpError(400, { error: { code: 400, name: 'ParamsError', message } });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw paramsError(describeZod(result.error));
  return result.data;
}

export function cookieOf(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    return part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return null;
}

/** `s` percent-decoded, or null when it is not valid percent-encoded UTF-8. */
export function decoded(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The login cookie's value for the account `name`: `sandbox-<name percent-encoded>` (`alice` stays `alice`). */
export function loginCookieValue(name: string): string {
  return `${COOKIE_PREFIX}${encodeURIComponent(name)}`;
}

/** The account a request speaks as: cookie `z_c0=sandbox-<name percent-encoded>`; anything else is logged out. */
export function accountOf(req: IncomingMessage): string | null {
  const value = cookieOf(req, LOGIN_COOKIE);
  if (!value?.startsWith(COOKIE_PREFIX)) return null;
  const name = decoded(value.slice(COOKIE_PREFIX.length));
  return name !== null && ACCOUNT_NAME.test(name) ? name : null;
}

export function sendRaw(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  sendRaw(res, status, 'text/html; charset=utf-8', html, headers);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

export async function readBytes(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      throw new HttpError(413, { error: { code: 413, name: 'PayloadTooLarge', message: `请求体超过 ${limit} 字节` } });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw paramsError('body: not valid JSON');
  }
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

/** Only a path on this origin may follow a sign-in, so /signin cannot send anyone elsewhere. */
export function safeNext(next: string | null, origin: string): string {
  if (!next) return '/';
  if (next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')) return next;
  try {
    const url = new URL(next);
    if (url.origin === origin) return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    // not a URL: fall through
  }
  return '/';
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
