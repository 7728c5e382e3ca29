import { createAccountInput, idSchema } from '@zpub/shared';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc';
import { consumeOrRefuse } from './limits';

const accountIdInput = z.strictObject({ id: idSchema });

export const accountRouter = {
  list: protectedProcedure.query(({ ctx }) => ctx.services.accounts.list(ctx.user.id)),
  create: protectedProcedure.input(createAccountInput).mutation(({ ctx, input }) => ctx.services.accounts.create(ctx.user.id, input)),
  /** Pasting fresh cookies is what a person does when the login expired. */
  updateCookies: protectedProcedure
    .input(accountIdInput.extend({ cookies: createAccountInput.shape.cookies }))
    .mutation(({ ctx, input }) => ctx.services.accounts.updateCookies(ctx.user.id, input.id, input.cookies)),
  /** Runs the login check in a worker's browser and answers with the account's new state. */
  verify: protectedProcedure.input(accountIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.accounts.owned(ctx.user.id, input.id);
    // Each check opens a browser: it counts like a submission.
    await consumeOrRefuse(ctx.services.submitLimiter, ctx.user.id, 'Too many submissions and checks in the last minute');
    return ctx.services.accounts.verify(ctx.user.id, input.id, ctx.services.queue);
  }),
  remove: protectedProcedure.input(accountIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.accounts.remove(ctx.user.id, input.id);
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
