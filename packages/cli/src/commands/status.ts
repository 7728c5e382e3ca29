/**
 * `zpub status [batch|task]`, `zpub cancel <task|batch>`, `zpub retry <task|batch>`. An id is
 * tried as a task first, then as a batch (both are 24-character ids).
 */
import { idSchema, LIMITS, type TaskStatus, type TaskView } from '@zpub/shared';
import { errorData, failure } from '../client';
import { CliError, EXIT, type ExitCode } from '../errors';
import { t } from '../i18n';
import { table } from './accounts';
import type { Context } from './context';

function checkId(id: string): void {
  if (!idSchema.safeParse(id).success) throw new CliError(t.notAnId(id), EXIT.usage);
}

async function call<T>(ctx: Context, p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw failure(err, ctx.server.url);
  });
}

/** The task with this id, or null when the user has none (anyone else's is "none" too). */
async function taskOrNull(ctx: Context, id: string): Promise<TaskView | null> {
  try {
    return await ctx.server.api.task.byId.query({ id });
  } catch (err) {
    if (errorData(err)?.code === 'NOT_FOUND') return null;
    throw failure(err, ctx.server.url);
  }
}

async function batchTasks(ctx: Context, batchId: string): Promise<TaskView[]> {
  const all: TaskView[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(ctx, ctx.server.api.task.list.query({ batchId, limit: LIMITS.pageMax, sort: 'createdAt', order: 'asc', cursor }));
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

function rows(tasks: TaskView[]): string[][] {
  return tasks.map((task) => [
    t.statusWord(task.status, task.stage === 'drafted'),
    `${task.progress}%`,
    task.title,
    task.result?.url ?? (task.error ? `${task.error.code}: ${t.taskError(task.error, task.status === 'unconfirmed')}` : t.stageWord(task.stage)),
    task.id,
  ]);
}

export async function status(ctx: Context, id: string | undefined): Promise<ExitCode> {
  if (id === undefined) {
    const page = await call(ctx, ctx.server.api.task.list.query({ limit: 20 }));
    if (page.items.length === 0) ctx.out(t.noTasks);
    else table(ctx, t.taskHead, rows(page.items));
    if (page.total > page.items.length) ctx.out(t.latestOf(page.items.length, page.total));
    return EXIT.ok;
  }
  checkId(id);
  const task = await taskOrNull(ctx, id);
  const tasks = task ? [task] : await batchTasks(ctx, id);
  if (tasks.length === 0) throw new CliError(t.noTaskOrBatch(id), EXIT.failed);
  table(ctx, t.taskHead, rows(tasks));
  if (!task) {
    const counts = new Map<TaskStatus, number>();
    for (const one of tasks) counts.set(one.status, (counts.get(one.status) ?? 0) + 1);
    ctx.out(t.batchCounts(id, [...counts]));
  }
  return EXIT.ok;
}

export async function steer(ctx: Context, action: 'cancel' | 'retry', id: string): Promise<ExitCode> {
  checkId(id);
  const { api } = ctx.server;
  const task = await taskOrNull(ctx, id);
  if (task) {
    try {
      const res = action === 'cancel' ? await api.task.cancel.mutate({ id }) : await api.task.retry.mutate({ id });
      ctx.out(t.steered(id, task.title, res.status));
      return EXIT.ok;
    } catch (err) {
      throw failure(err, ctx.server.url);
    }
  }
  const tasks = await batchTasks(ctx, id);
  if (tasks.length === 0) throw new CliError(t.noTaskOrBatch(id), EXIT.failed);
  const ids = tasks.map((t) => t.id);
  const changed: string[] = [];
  const skipped: { id: string; reason: string; code?: string; status?: string }[] = [];
  for (let i = 0; i < ids.length; i += LIMITS.batchMax) {
    const slice = ids.slice(i, i + LIMITS.batchMax);
    const res = await call(ctx, action === 'cancel' ? api.task.cancelMany.mutate({ ids: slice }) : api.task.retryMany.mutate({ ids: slice }));
    changed.push(...res.changed);
    skipped.push(...res.skipped);
  }
  ctx.out(t.batchSteered(id, action, changed.length, skipped.length));
  const title = new Map(tasks.map((one) => [one.id, one.title]));
  for (const s of skipped) ctx.out(`  ${title.get(s.id) ?? s.id}: ${t.skipReason(s, action)}`);
  return EXIT.ok;
}
