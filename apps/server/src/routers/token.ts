import { createTokenInput, idSchema, LIMITS, type CreatedTokenView } from '@zpub/shared';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { verifyPassword } from '../services/passwords';
import { AppError, sessionProcedure } from '../trpc';
import { consumeOrRefuse, emailKey } from './limits';

/** Personal API tokens, managed from a signed-in session only (trpc.ts, sessionProcedure). */
export const tokenRouter = {
  list: sessionProcedure.query(({ ctx }) => ctx.services.tokens.list(ctx.user.id)),

  /** The answer carries the secret; nothing ever shows it again. */
  create: sessionProcedure.input(createTokenInput).mutation(async ({ ctx, input }): Promise<CreatedTokenView> => {
    const { authLimiter, models, tokens } = ctx.services;
    // Guessing the password through a stolen session is a sign-in attempt too.
    await consumeOrRefuse(authLimiter.loginByEmail, emailKey(ctx.user.email), 'Too many password attempts for this account');
    const user = await models.User.findById(ctx.user.id).lean();
    if (!user || !(await verifyPassword(user.passwordHash, input.password))) {
      // Not UNAUTHORIZED: the session is fine, and the app must not take this for a sign-out.
      throw new AppError('BAD_REQUEST', 'The password is wrong', 'WRONG_PASSWORD');
    }
    const created = await tokens.create(ctx.user.id, input.name);
    if (!created) throw new AppError('CONFLICT', `You already have ${LIMITS.tokensMax} API tokens; revoke one you no longer use first`, 'TOO_MANY_TOKENS');
    ctx.services.log.info({ userId: ctx.user.id, tokenId: created.id }, 'API token created');
    return created;
  }),

  revoke: sessionProcedure.input(z.strictObject({ id: idSchema })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.tokens.revoke(ctx.user.id, input.id))) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such token' });
    ctx.services.log.info({ userId: ctx.user.id, tokenId: input.id }, 'API token revoked');
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
