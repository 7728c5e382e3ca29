/**
 * `task.onUpdate` over SSE, written straight to the socket in the frames tRPC's SSE producer
 * writes (so `httpSubscriptionLink`, EventSource and the CLI read it unchanged):
 *
 *   event: connected / data: <trpc.ts's `sse.client` as JSON>     first
 *   data: <event as JSON> / id: <event id>                       each event (tracked)
 *   event: ping / data:                                          after `sse.ping.intervalMs` (trpc.ts) without a frame
 *   event: serialized-error / data: <error shape>                the credential was revoked
 *
 * Why not through tRPC: its producer sends every event through an async generator, two web
 * TransformStreams and a pipe, with four writes to the socket per event, and serializes it again
 * for every tab of the user. With 1,000 subscribers that cost the server more than a core while
 * users submitted batches, and events waited seconds (`pnpm bench -- fanout`). Here an event is
 * serialized once and written in one frame to each of its user's sockets.
 *
 * Only the ordinary case is taken: a GET with a valid input and a credential that signs in.
 * Anything else (no or a bad credential, bad input, a batched call) is left to the tRPC handler,
 * which answers it as it answers every procedure. The procedure in routers/task.ts stays the
 * type the clients are built from and the path for callers that are not HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { onUpdateInput } from '@zpub/shared';
import { TRPCError } from '@trpc/server';
import { getErrorShape, getLastEventId, sseHeaders } from '@trpc/server/unstable-core-do-not-import';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import type { Context } from './context';
import type { AppRouter } from './routers/_app';
import { STREAM_REVOKED } from './routers/task';

export const UPDATE_STREAM_PATH = '/trpc/task.onUpdate';

/** The frame of an event, made once however many tabs of its user are open. */
const frames = new WeakMap<object, string>();
function frameOf(e: { id: string }): string {
  let f = frames.get(e);
  if (f === undefined) {
    f = `data: ${JSON.stringify(e)}\nid: ${e.id}\n\n`;
    frames.set(e, f);
  }
  return f;
}

interface Open {
  res: ServerResponse;
  lastWrite: number;
}
const open = new Set<Open>();
let pinger: NodeJS.Timeout | null = null;

function write(o: Open, frame: string): boolean {
  o.lastWrite = Date.now();
  return o.res.write(frame);
}

/** One timer for every open stream: a ping to each that wrote nothing for `pingMs` (trpc.ts's `sse.ping`). */
function track(o: Open, pingMs: number): () => void {
  open.add(o);
  pinger ??= setInterval(() => {
    const due = Date.now() - pingMs;
    for (const s of open) if (s.lastWrite <= due) write(s, 'event: ping\ndata: \n\n');
  }, 1000).unref();
  return () => {
    open.delete(o);
    if (open.size === 0 && pinger) {
      clearInterval(pinger);
      pinger = null;
    }
  };
}

/** The input as tRPC reads it for a subscription: `?input=` JSON, and Last-Event-ID over it. */
function readInput(req: IncomingMessage, url: URL): { ok: true; lastEventId: string | null } | { ok: false } {
  if (url.searchParams.has('batch')) return { ok: false };
  let raw: unknown;
  const text = url.searchParams.get('input');
  try {
    raw = text === null ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return { ok: false };
  }
  const header = req.headers['last-event-id'];
  const resumed = getLastEventId({ headers: new Headers(typeof header === 'string' ? { 'last-event-id': header } : {}), searchParams: url.searchParams });
  if (resumed) raw = raw !== null && typeof raw === 'object' ? { ...raw, lastEventId: resumed } : (raw ?? { lastEventId: resumed });
  const parsed = onUpdateInput.safeParse(raw);
  if (!parsed.success) return { ok: false };
  return { ok: true, lastEventId: parsed.data?.lastEventId ?? null };
}

/**
 * Serves the request when it is the ordinary case; resolves false (having written nothing) when
 * the tRPC handler should answer it instead.
 */
export async function serveUpdateStream(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: (opts: CreateHTTPContextOptions) => Promise<Context>,
  router: AppRouter,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const input = readInput(req, url);
  if (!input.ok) return false;
  let ctx: Context;
  try {
    ctx = await createContext({ req, res, info: undefined as never });
  } catch {
    // The session store is unreachable: tRPC says so the way it does for every call.
    return false;
  }
  const user = ctx.user;
  if (!user) return false;

  const ended = new AbortController();
  const onClose = () => ended.abort();
  res.on('close', onClose);
  const { sessions, tokens, hub } = ctx.services;
  const revoked = ctx.credentialHash ? (ctx.credential === 'token' ? tokens : sessions).watch(ctx.credentialHash, ended.signal) : null;
  const signal = revoked ? AbortSignal.any([ended.signal, revoked]) : ended.signal;

  const sse = router._def._config.sse;
  res.writeHead(200, sseHeaders);
  res.flushHeaders();
  const o: Open = { res, lastWrite: 0 };
  const untrack = track(o, sse?.ping?.intervalMs ?? 10_000);
  write(o, `event: connected\ndata: ${JSON.stringify(sse?.client ?? {})}\n\n`);
  try {
    for await (const event of hub.subscribe(user.id, input.lastEventId, signal)) {
      if (!write(o, frameOf(event))) {
        // The client reads slower than events come: wait for it (the hub buffers, and drops a
        // subscriber that falls too far behind so it resumes from its last event).
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (revoked?.aborted && !ended.signal.aborted) {
      const error = new TRPCError({ code: 'UNAUTHORIZED', message: STREAM_REVOKED });
      const shape = getErrorShape({ config: router._def._config, error, type: 'subscription', path: 'task.onUpdate', input: undefined, ctx });
      write(o, `event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n`);
      res.end();
    } else if (!ended.signal.aborted) {
      // The hub stopped or dropped a subscriber that fell behind: drop the connection, so the
      // client reconnects (here or to another server) and resumes from its last event.
      res.destroy();
    }
  } catch (err) {
    ctx.services.log.warn({ err: (err as Error).message }, 'live stream failed; the client reconnects');
    res.destroy();
  } finally {
    untrack();
    res.off('close', onClose);
    ended.abort();
  }
  return true;
}
