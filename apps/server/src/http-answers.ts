/**
 * Plain HTTP shared by the routes outside tRPC's handler (`/assets`, evidence, static files,
 * single calls): JSON bodies, refusals in tRPC's error shape, bodies read up to a limit, and the
 * same-origin rule for state changes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/** What a caller is told when the server failed: the detail goes to the log, never to the caller. */
export const INTERNAL_MESSAGE = 'Something went wrong on our side; try again in a moment';

export function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** A refusal in tRPC's own error shape, so the client reports it like any other. */
export function refuse(res: ServerResponse, status: number, code: TRPCError['code'], message: string, appCode: string): void {
  const body = JSON.stringify({
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, appCode } },
  });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * Lets a refused body flow past unread: a client that is still sending then gets to read the
 * answer (closing the socket at once makes it fail on a broken pipe instead). Past `max` bytes
 * the connection is cut.
 */
export function discard(req: IncomingMessage, max: number): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > max) req.destroy();
  });
}

/**
 * A browser names the page that sent a request in `Origin` (or at least `Sec-Fetch-Site`).
 * Requests without either do not come from a web page, so they cannot be forged by one.
 */
export function crossSite(req: IncomingMessage, publicOrigin: string): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) return origin !== publicOrigin;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

export type Body = { ok: true; bytes: Buffer } | { ok: false };

/** The body, or `{ ok: false }` as soon as it passes `max` bytes (the rest is left to flow past). */
export function readLimited(req: IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete && !over) reject(new Error('the upload was aborted'));
    });
  });
}
