/**
 * A lean `task.onUpdate` subscriber over plain HTTP (the SSE that httpSubscriptionLink reads), so
 * that a thousand of them fit in the benchmark process and each event is stamped the moment its
 * bytes arrive. Exactly what the SPA receives; only the client library is left out.
 */
import { request, type ClientRequest } from 'node:http';
import type { TaskEvent } from '@zpub/shared';

export interface Received {
  id: string;
  taskId: string;
  status: TaskEvent['status'];
  stage: TaskEvent['stage'];
  /** When the server side produced the event (the `at` the worker or server wrote). */
  at: number;
  /** When this subscriber had it (same machine clock). */
  received: number;
}

export class SseSubscriber {
  readonly events: Received[] = [];
  readonly ready: Promise<void>;
  error: Error | null = null;
  closed = false;
  private req: ClientRequest | null = null;
  private onEvent: ((e: Received) => void) | null = null;

  /**
   * `task.onUpdate` of the server at `baseUrl` with a session cookie; or, given a URL, that URL as
   * it is (a baseline relay that speaks the same frames).
   */
  constructor(baseUrl: string | URL, cookie: string, lastEventId?: string) {
    let url: URL;
    if (baseUrl instanceof URL) {
      url = baseUrl;
    } else {
      url = new URL(`${baseUrl}/trpc/task.onUpdate`);
      url.searchParams.set('input', JSON.stringify(lastEventId ? { lastEventId } : {}));
    }
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) };
    this.ready = new Promise<void>((resolve, reject) => {
      const req = request(url, { agent: false, headers }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`subscription answered HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          const now = Date.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            this.block(block, now, resolve);
          }
        });
        res.on('close', () => {
          this.closed = true;
        });
      });
      req.on('error', (err) => {
        if (!this.closed) this.error = err;
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private block(block: string, now: number, connected: () => void): void {
    let kind = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) kind = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (kind === 'connected') return connected();
    if (kind !== 'message' || data === '') return;
    const e = JSON.parse(data) as TaskEvent;
    const r: Received = { id: e.id, taskId: e.taskId, status: e.status, stage: e.stage, at: Date.parse(e.at), received: now };
    this.events.push(r);
    this.onEvent?.(r);
  }

  /** Calls `fn` for every event from now on. */
  listen(fn: (e: Received) => void): void {
    this.onEvent = fn;
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}

/** Resolves when `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const TERMINAL: ReadonlySet<string> = new Set(['success', 'failed', 'cancelled', 'unconfirmed']);
