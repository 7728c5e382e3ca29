import { z } from 'zod';

export const PLATFORMS = ['zhihu', 'sandbox'] as const;
export const platformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof platformSchema>;

export const TASK_STATUSES = [
  'pending',
  'queued',
  'running',
  'success',
  'failed',
  'cancelled',
  'unconfirmed',
] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;
/** Sort key: lower runs first. */
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['success', 'failed', 'cancelled', 'unconfirmed'];
export const CANCELLABLE_STATUSES: readonly TaskStatus[] = ['pending', 'queued', 'running'];
export const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'cancelled', 'unconfirmed'];
/** States in which a task occupies (or is about to occupy) a browser slot. */
export const IN_FLIGHT_STATUSES: readonly TaskStatus[] = ['queued', 'running'];

/**
 * Every edge a task may take. `running -> queued` is an automatic retry waiting for its backoff;
 * `queued|running -> pending` hands a task back (graceful shutdown, a dispatch that failed);
 * terminal states leave only through an explicit retry, back to `pending`.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['queued', 'cancelled', 'failed'],
  queued: ['running', 'pending', 'cancelled', 'failed'],
  running: ['success', 'failed', 'cancelled', 'unconfirmed', 'queued', 'pending'],
  success: [],
  failed: ['pending'],
  cancelled: ['pending'],
  unconfirmed: ['pending'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states from which `to` can be reached: what a compare-and-set must expect. */
export function sourcesOf(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
