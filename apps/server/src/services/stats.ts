/** Statistics over a user's tasks, from the in-memory index (no aggregation that FerretDB v1 lacks). */
import { TASK_STATUSES, type ErrorCode, type StatsSummary, type TaskStatus } from '@zpub/shared';
import type { TaskIndex } from './task-index';

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? null;
}

export function summarize(index: TaskIndex, userId: string, since: Date): StatsSummary {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const failures = new Map<ErrorCode, number>();
  const durations: number[] = [];
  const hours = new Map<string, { created: number; success: number; failed: number }>();
  const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;
  const bucket = (h: string) => {
    let b = hours.get(h);
    if (!b) {
      b = { created: 0, success: 0, failed: 0 };
      hours.set(h, b);
    }
    return b;
  };
  let total = 0;
  const from = since.getTime();
  for (const row of index.userRows(userId)) {
    if (Date.parse(row.createdAt) < from) continue;
    total++;
    byStatus[row.status]++;
    bucket(hourOf(row.createdAt)).created++;
    if (row.status === 'success' && row.finishedAt) {
      bucket(hourOf(row.finishedAt)).success++;
      if (row.startedAt) durations.push(Date.parse(row.finishedAt) - Date.parse(row.startedAt));
    }
    if (row.status === 'failed') {
      if (row.finishedAt) bucket(hourOf(row.finishedAt)).failed++;
      const code = row.error?.code ?? 'INTERNAL';
      failures.set(code, (failures.get(code) ?? 0) + 1);
    }
  }
  durations.sort((a, b) => a - b);
  const finished = byStatus.success + byStatus.failed + byStatus.unconfirmed;
  return {
    since: since.toISOString(),
    total,
    byStatus,
    successRate: finished === 0 ? null : byStatus.success / finished,
    durationMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), count: durations.length },
    failuresByCode: [...failures].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    perHour: [...hours].map(([hour, b]) => ({ hour, ...b })).sort((a, b) => (a.hour < b.hour ? -1 : 1)),
  };
}
