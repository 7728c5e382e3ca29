import {
  createBatchInput,
  createTaskInput,
  listTasksInput,
  onUpdateInput,
  rescheduleInput,
  taskIdInput,
  taskIdsInput,
  taskLookupInput,
} from '@zpub/shared';
import { TRPCError, tracked, type TRPCRouterRecord } from '@trpc/server';
import { viewOf } from '@zpub/shared/node';
import { protectedProcedure } from '../trpc';
import { consumeOrRefuse } from './limits';

/** How a live stream ends when the session or token behind it is revoked (update-stream.ts says the same). */
export const STREAM_REVOKED = 'Your session or API token was revoked';

export const taskRouter = {
  create: protectedProcedure.input(createTaskInput).mutation(async ({ ctx, input }) => {
    const { accountId, ...article } = input;
    // Ownership first: a refused account must not cost a submission.
    await ctx.services.accounts.owned(ctx.user.id, accountId);
    // Counted now, judged before the task is registered: the answer comes back while the task is
    // being saved instead of delaying it (TaskService.create).
    const allowed = consumeOrRefuse(ctx.services.submitLimiter, ctx.user.id, 'Too many submissions in the last minute');
    return ctx.services.tasks.create(ctx.user.id, accountId, article, allowed);
  }),

  createBatch: protectedProcedure.input(createBatchInput).mutation(async ({ ctx, input }) => {
    await ctx.services.accounts.owned(ctx.user.id, input.accountId);
    await consumeOrRefuse(ctx.services.submitLimiter, ctx.user.id, 'Too many submissions in the last minute');
    return ctx.services.tasks.createBatch(ctx.user.id, input.accountId, input.articles);
  }),

  byId: protectedProcedure.input(taskIdInput).query(({ ctx, input }) => ctx.services.tasks.byId(ctx.user.id, input.id)),

  /** Rows by id; ids that are not the caller's are left out, as if they did not exist. */
  byIds: protectedProcedure.input(taskLookupInput).query(async ({ ctx, input }) => {
    const rows = await ctx.services.rows.get(input.ids);
    return input.ids.flatMap((id) => {
      const row = rows.get(id);
      return row && row.userId === ctx.user.id ? [viewOf(row)] : [];
    });
  }),

  list: protectedProcedure.input(listTasksInput).query(({ ctx, input }) => ctx.services.lists.list(ctx.user.id, input)),

  cancel: protectedProcedure.input(taskIdInput).mutation(({ ctx, input }) => ctx.services.tasks.cancel(ctx.user.id, input.id)),

  retry: protectedProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.tasks.owned(ctx.user.id, input.id);
    await consumeOrRefuse(ctx.services.submitLimiter, ctx.user.id, 'Too many submissions in the last minute');
    return ctx.services.tasks.retry(ctx.user.id, input.id);
  }),

  cancelMany: protectedProcedure.input(taskIdsInput).mutation(({ ctx, input }) => ctx.services.tasks.many(ctx.user.id, input.ids, 'cancel')),

  retryMany: protectedProcedure.input(taskIdsInput).mutation(async ({ ctx, input }) => {
    await consumeOrRefuse(ctx.services.submitLimiter, ctx.user.id, 'Too many submissions in the last minute');
    return ctx.services.tasks.many(ctx.user.id, input.ids, 'retry');
  }),

  /** Ended tasks only (cancel a running one first); their evidence goes with them. */
  remove: protectedProcedure.input(taskIdInput).mutation(({ ctx, input }) => ctx.services.tasks.remove(ctx.user.id, input.id)),

  removeMany: protectedProcedure.input(taskIdsInput).mutation(({ ctx, input }) => ctx.services.tasks.many(ctx.user.id, input.ids, 'remove')),

  reschedule: protectedProcedure
    .input(rescheduleInput)
    .mutation(({ ctx, input }) => ctx.services.tasks.reschedule(ctx.user.id, input.id, input.scheduledAt)),

  /**
   * Every change of the caller's tasks, resumable from the last event id it saw. The stream ends
   * (UNAUTHORIZED) the moment its session or API token is revoked, on whichever server.
   */
  onUpdate: protectedProcedure.input(onUpdateInput).subscription(async function* ({ ctx, input, signal }) {
    const ended = new AbortController();
    signal?.addEventListener('abort', () => ended.abort(), { once: true });
    const { sessions, tokens } = ctx.services;
    const hash = ctx.credentialHash;
    const revoked = hash ? (ctx.credential === 'token' ? tokens : sessions).watch(hash, ended.signal) : null;
    try {
      for await (const event of ctx.services.hub.subscribe(ctx.user.id, input?.lastEventId ?? null, AbortSignal.any([ended.signal, ...(revoked ? [revoked] : [])]))) {
        yield tracked(event.id, event);
      }
      if (revoked?.aborted) throw new TRPCError({ code: 'UNAUTHORIZED', message: STREAM_REVOKED });
    } finally {
      ended.abort();
    }
  }),
} satisfies TRPCRouterRecord;
