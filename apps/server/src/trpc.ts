import { TRPCError, initTRPC } from '@trpc/server';
import { isOutage } from '@zpub/shared/node';
import { ZodError, z } from 'zod';
import type { InputIssue } from '@zpub/shared';
import type { Context } from './context';
import { INTERNAL_MESSAGE } from './http-answers';
import { AppError } from './errors';

export { AppError };

const t = initTRPC.context<Context>().create({
  sse: {
    // Comments keep proxies from closing an idle stream; the client reconnects if they stop.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  errorFormatter({ shape, error }) {
    const cause = error instanceof AppError && error.zodError ? error.zodError : error.cause;
    return {
      ...shape,
      // "title: Title is empty; extra: Unrecognized key" instead of a JSON dump of zod's issues.
      message: cause instanceof ZodError ? describeIssues(cause) : publicMessage(error),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        // Never send stack traces; zod problems become a flat, readable list.
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        // The same problems as codes and limits, so a client can say them in its own language.
        issues: cause instanceof ZodError ? publicIssues(cause) : null,
        appCode: error instanceof AppError ? (error.appCode ?? null) : null,
        retryAfterS: error instanceof AppError ? (error.retryAfterS ?? null) : null,
        params: error instanceof AppError ? (error.params ?? null) : null,
      },
    };
  },
});

/**
 * An error nobody threw on purpose carries the message of whatever failed (a driver, a library),
 * which may name internals or echo input: the caller gets a plain sentence, the log the detail.
 */
function publicMessage(error: TRPCError): string {
  if (error.code === 'PAYLOAD_TOO_LARGE' && error.message === 'PAYLOAD_TOO_LARGE') return 'The request is too large';
  // JSON.parse quotes the text it choked on; that text is the caller's own, but has no place here.
  if (error.code === 'BAD_REQUEST' && error.cause instanceof SyntaxError) return 'The request body is not valid JSON';
  if (error.code === 'INTERNAL_SERVER_ERROR' && error.cause && error.message === error.cause.message) {
    return INTERNAL_MESSAGE;
  }
  return error.message;
}

/** What is wrong with each field, without the input (it may be large, or a secret). */
function publicIssues(err: ZodError): InputIssue[] {
  return err.issues.slice(0, 10).map((i) => {
    const out: InputIssue = { path: i.path.map(String).join('.'), code: i.code };
    if (i.code === 'too_small') out.minimum = Number(i.minimum);
    if (i.code === 'too_big') out.maximum = Number(i.maximum);
    if (i.code === 'too_small' || i.code === 'too_big') out.origin = i.origin;
    if (i.code === 'invalid_format') out.format = i.format;
    if (i.code === 'custom' && i.params) out.params = i.params;
    return out;
  });
}

function describeIssues(err: ZodError): string {
  return err.issues
    .slice(0, 10)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/** While MongoDB or Redis is down the API says so at once, with a status clients can retry on. */
function served<R extends { ok: boolean; error?: TRPCError }>(result: R): R {
  if (!result.ok && result.error?.code === 'INTERNAL_SERVER_ERROR' && isOutage(result.error.cause ?? result.error)) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is temporarily unavailable (its database or queue is reconnecting); try again in a moment',
      cause: result.error.cause,
    });
  }
  return result;
}

export const publicProcedure = t.procedure.use(async ({ next }) => served(await next()));

/**
 * Signed in, with a session or an API token. One middleware that also answers outages as
 * publicProcedure does, not a second one on top of it: every level of tRPC's middleware chain
 * copies the call's options and context, which was a tenth of the server's time accepting tasks
 * flat out (`pnpm bench -- submit`).
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.user) {
    if (ctx.credential === 'token' || ctx.credential === 'bad-token') {
      // Never echoes what was sent: the header may be a real token of someone else's.
      throw new AppError('UNAUTHORIZED', 'The API token was refused: it is wrong or was revoked. Create a new one on the API tokens page of the app', 'TOKEN_REFUSED');
    }
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  }
  return served(await next({ ctx: { user: ctx.user } }));
});

/**
 * Only a signed-in browser session, not an API token: managing tokens and the password. A
 * leaked token must not be able to mint more tokens or lock its owner out.
 */
export const sessionProcedure = protectedProcedure.use(({ ctx, next }) => {
  const sessionId = ctx.user.sessionId;
  if (sessionId === null) {
    throw new AppError('FORBIDDEN', 'This needs a signed-in session in the app; an API token cannot do it', 'SESSION_REQUIRED');
  }
  return next({ ctx: { ...ctx, user: { ...ctx.user, sessionId } } });
});
