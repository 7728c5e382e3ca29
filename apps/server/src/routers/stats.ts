import { statsInput } from '@zpub/shared';
import type { TRPCRouterRecord } from '@trpc/server';
import { protectedProcedure } from '../trpc';

const DAY = 24 * 3600 * 1000;

export const statsRouter = {
  summary: protectedProcedure.input(statsInput).query(({ ctx, input }) => {
    const since = input?.since ? new Date(input.since) : new Date(Date.now() - 7 * DAY);
    return ctx.services.stats.summary(ctx.user.id, since);
  }),
} satisfies TRPCRouterRecord;
