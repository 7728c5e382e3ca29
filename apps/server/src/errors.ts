/**
 * Errors the API throws on purpose. Kept apart from trpc.ts so services can throw them without
 * importing the tRPC set-up (which imports the context, which imports the services).
 */
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';

/**
 * A refusal that carries a machine code (e.g. RATE_LIMITED) and, when relevant, when to retry and
 * the facts a client needs to say it in its own language (`params`; the message is English).
 */
export class AppError extends TRPCError {
  constructor(
    code: TRPCError['code'],
    message: string,
    readonly appCode?: string,
    readonly retryAfterS?: number,
    cause?: unknown,
    readonly params?: Record<string, unknown>,
  ) {
    super({ code, message, cause });
    // tRPC keeps only an `Error` as the cause, and zod 4's ZodError is not one: keep it here too.
    if (cause instanceof ZodError) this.zodError = cause;
  }
  readonly zodError?: ZodError;
}

/**
 * Bad input found after the schema passed (a column the account does not have, an image the user
 * never uploaded): shaped like a schema refusal, so clients see the field it concerns in
 * `zodError.fieldErrors`, plus a code a program can act on.
 */
export function fieldRefusal(field: string, message: string, appCode: string, params?: Record<string, unknown>): AppError {
  const cause = new ZodError([{ code: 'custom', path: [field], message, input: undefined, params: { reason: appCode, ...params } }]);
  return new AppError('BAD_REQUEST', `${field}: ${message}`, appCode, undefined, cause, params);
}
