import { createAccountInput, idSchema } from '@zpub/shared';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc';

export const accountRouter = {
  list: protectedProcedure.query(({ ctx }) => ctx.services.accounts.list(ctx.user.id)),
  create: protectedProcedure.input(createAccountInput).mutation(({ ctx, input }) => ctx.services.accounts.create(ctx.user.id, input)),
  remove: protectedProcedure.input(z.strictObject({ id: idSchema })).mutation(async ({ ctx, input }) => {
    await ctx.services.accounts.remove(ctx.user.id, input.id);
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
