/**
 * One query (GET) or mutation (POST) per request, the way the CLI, scripts and `task.create`
 * callers send them, answered without tRPC's fetch adapter: the same procedure is called with the
 * same context, and the answer is the one tRPC writes (`{"result":{"data":…}}`, or `{"error":…}`
 * in the shape of trpc.ts's error formatter, with the status tRPC gives that error).
 *
 * Why: the standalone adapter turns every Node request into a web `Request` (headers copied,
 * body as a web stream, abort signals combined) and the answer into a web `Response` piped back.
 * For a small mutation that was 37 % of the server's busy time flat out, the largest single part
 * of the cost of accepting a task; without it `task.create` went from 529 to 785 tasks/s flat out
 * and its p99 at a person's pace from 201 to 115 ms (`pnpm bench -- submit`).
 *
 * Only the plain case is taken: an unbatched call to a known query or mutation with the method
 * and content type tRPC expects. Anything else (batches, subscriptions, a wrong method, another
 * content type, `jsonl` streaming) goes to the tRPC handler, which answers it as before. As in
 * tRPC, the body is read only when the procedure asks for its input, so a refused caller's body is
 * never parsed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import {
  getErrorShape,
  getHTTPStatusCodeFromError,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
} from '@trpc/server/unstable-core-do-not-import';
import type { Context } from './context';
import { discard, readLimited } from './http-answers';
import type { AppRouter } from './routers/_app';

type Procedure = NonNullable<Awaited<ReturnType<typeof getProcedureAtPath>>>;
type ProcedureType = 'query' | 'mutation';

export interface SingleCallOptions {
  router: AppRouter;
  createContext: (opts: CreateHTTPContextOptions) => Promise<Context>;
  maxBodySize: number;
  onError: (opts: { error: TRPCError; path: string; type: ProcedureType }) => void;
}

/** `/trpc/<path>` with only letters, digits and dots: nothing to decode. */
const PLAIN_PATH = /^\/trpc\/([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)$/;

/** The procedure a plain single call names, or null when the tRPC handler should take it. */
async function plainCall(router: AppRouter, req: IncomingMessage, pathname: string, search: URLSearchParams, cache: Map<string, Procedure>) {
  const m = PLAIN_PATH.exec(pathname);
  if (!m?.[1] || search.has('batch')) return null;
  const accept = req.headers.accept;
  if (req.headers['trpc-accept'] !== undefined || (accept !== undefined && accept.includes('application/jsonl'))) return null;
  const path = m[1];
  // Only procedures that exist are kept: made-up paths must not grow the map.
  let proc = cache.get(path);
  if (proc === undefined) {
    const found = await getProcedureAtPath(router, path);
    if (!found) return null;
    proc = found;
    cache.set(path, proc);
  }
  const type = proc._def.type;
  if (type === 'query' && req.method === 'GET') return { path, proc, type } as const;
  const json = req.headers['content-type']?.startsWith('application/json') ?? false;
  if (type === 'mutation' && req.method === 'POST' && json) return { path, proc, type } as const;
  return null;
}

/** The request body as text, or the error tRPC's adapter gives when it passes `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const body = await readLimited(req, max);
  if (body.ok) return body.bytes.toString('utf8');
  // The rest flows past unread so the client can read the answer; a flood is cut off.
  discard(req, max * 3);
  throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE' });
}

/**
 * Answers the request when it is a plain single call; resolves false (having read and written
 * nothing) when the tRPC handler should answer it instead.
 */
export function singleCallHandler(opts: SingleCallOptions) {
  const { router, createContext, maxBodySize, onError } = opts;
  const config = router._def._config;
  const procedures = new Map<string, Procedure>();

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const call = await plainCall(router, req, url.pathname, url.searchParams, procedures);
    if (!call) return false;
    const { path, proc, type } = call;

    // The input exactly as tRPC's JSON handler reads it: absent or empty is undefined.
    let input: unknown;
    let reading: Promise<unknown> | null = null;
    const getRawInput = (): Promise<unknown> => {
      reading ??= (async () => {
        const text = type === 'query' ? url.searchParams.get('input') : await readBody(req, maxBodySize);
        input = text ? config.transformer.input.deserialize(JSON.parse(text)) : undefined;
        return input;
      })().catch((cause: unknown) => {
        // As tRPC's reader: a body that cannot be read or parsed is the caller's mistake.
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
      });
      return reading;
    };

    let ctx: Context | undefined;
    let body: unknown;
    let status = 200;
    try {
      try {
        ctx = await createContext({ req, res, info: undefined as never });
      } catch (cause) {
        throw getTRPCErrorFromUnknown(cause);
      }
      const data: unknown = await proc({ path, getRawInput, ctx, type, signal: undefined, batchIndex: 0 });
      // What transformTRPCResponse makes of it, without its three object copies per answer.
      body = { result: { data: config.transformer.output.serialize(data) } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      onError({ error, path, type });
      body = { error: config.transformer.output.serialize(getErrorShape({ config, ctx, error, input, path, type })) };
      status = getHTTPStatusCodeFromError(error);
    }
    // A body the procedure never asked for is left to flow past, so the connection stays usable.
    if (reading === null && type === 'mutation') req.resume();
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      Vary: 'trpc-accept, accept',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  };
}
