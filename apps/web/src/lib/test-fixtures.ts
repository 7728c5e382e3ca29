/** Builders for tests: a task row and its events with sensible defaults. */
import type { TaskEvent, TaskView } from '@zpub/shared';

export const USER = 'u'.repeat(24).replace(/u/g, 'a');

export function id(n: number): string {
  return n.toString(16).padStart(24, '0');
}

export function view(n: number, over: Partial<TaskView> = {}): TaskView {
  return {
    id: id(n),
    accountId: id(1000),
    platform: 'sandbox',
    title: `Article ${n}`,
    topics: [],
    priority: 'normal',
    status: 'pending',
    progress: 0,
    stage: 'created',
    attempt: 0,
    v: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    ...over,
  };
}

let seq = 0;
export function event(n: number, v: number, over: Partial<TaskEvent> = {}): TaskEvent {
  seq++;
  return {
    id: `${String(1767225600000 + seq).padStart(13, '0')}-${String(seq).padStart(6, '0')}`,
    taskId: id(n),
    userId: USER,
    attempt: 1,
    v,
    status: 'running',
    progress: 10,
    stage: 'browser',
    at: new Date(Date.UTC(2026, 0, 1, 1, 0, seq)).toISOString(),
    ...over,
  };
}

export function created(n: number, over: Partial<TaskEvent> = {}): TaskEvent {
  const v = view(n);
  return event(n, 0, {
    attempt: 0,
    status: 'pending',
    progress: 0,
    stage: 'created',
    task: {
      accountId: v.accountId,
      platform: v.platform,
      title: v.title,
      topics: v.topics,
      priority: v.priority,
      createdAt: v.createdAt,
    },
    ...over,
  });
}
