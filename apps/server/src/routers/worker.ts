import type { TRPCRouterRecord } from '@trpc/server';
import { listWorkers } from '../services/workers';
import { protectedProcedure } from '../trpc';

export const workerRouter = {
  list: protectedProcedure.query(({ ctx }) =>
    listWorkers(ctx.services.redis, ctx.services.keys.workers, ctx.services.env.WORKER_TIMEOUT_MS),
  ),
} satisfies TRPCRouterRecord;
