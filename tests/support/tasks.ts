import type { TaskEvent } from '@zpub/shared';

export const isTerminal = (e: Pick<TaskEvent, 'status'>) => ['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status);

/** The periods during which each task held a browser slot, from its events. */
export function runningSpans(events: TaskEvent[]): { taskId: string; start: number; end: number }[] {
  const spans: { taskId: string; start: number; end: number }[] = [];
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.status === 'running' && e.stage === 'browser') open.set(e.taskId, Date.parse(e.at));
    else if (e.status !== 'running' && open.has(e.taskId)) {
      spans.push({ taskId: e.taskId, start: open.get(e.taskId) ?? 0, end: Date.parse(e.at) });
      open.delete(e.taskId);
    }
  }
  for (const [taskId, start] of open) spans.push({ taskId, start, end: Infinity });
  return spans;
}

/** The most spans open at one instant. */
export function maxOverlap(spans: { start: number; end: number }[]): number {
  const points = spans.flatMap((s) => [
    { t: s.start, d: 1 },
    { t: s.end, d: -1 },
  ]);
  // Ends before starts at the same instant: a slot handed over is not two slots.
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const p of points) {
    now += p.d;
    max = Math.max(max, now);
  }
  return max;
}

export function article(i: number, extra: Record<string, unknown> = {}) {
  return { title: `批量文章 ${i}`, content: `第 ${i} 篇的正文。`, ...extra };
}
