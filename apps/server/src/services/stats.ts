/**
 * Statistics over a user's tasks created since a moment, from the counters the state scripts keep
 * per user and creation hour (task-state.ts, `count`): tasks by current status, successes and
 * failures by the hour they ended, failures by code, and a histogram of success durations. Full
 * hours are read from their counters; the hour `since` falls in is made exact from the rows of its
 * tasks created before `since` (subtracted) or after it (added), whichever are fewer.
 * Cost: O(hours with tasks in the range) counters + the rows of at most half an hour's tasks.
 */
import { TASK_STATUSES, type ErrorCode, type StatsSummary, type TaskStatus } from '@zpub/shared';
import { HOUR_MS, bucketMiddle, durationBucket, type RedisClient, type RedisKeys, type StoredRow } from '@zpub/shared/node';
import type { TaskLists } from './task-lists';
import type { TaskRows } from './task-rows';

/** One creation hour's counters, as the scripts write them (field names are theirs). */
type Counters = Record<string, string>;

class Tally {
  readonly byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  readonly failures = new Map<string, number>();
  readonly durations = new Map<number, number>();
  readonly perHour = new Map<number, { created: number; success: number; failed: number }>();

  private hour(h: number) {
    let b = this.perHour.get(h);
    if (!b) {
      b = { created: 0, success: 0, failed: 0 };
      this.perHour.set(h, b);
    }
    return b;
  }

  add(createdHour: number, c: Counters, sign = 1): void {
    for (const [field, raw] of Object.entries(c)) {
      const n = sign * Number(raw);
      const [kind, arg = ''] = [field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)];
      if (kind === 's') {
        this.byStatus[arg as TaskStatus] += n;
        this.hour(createdHour).created += n;
      } else if (kind === 'ok') this.hour(Number(arg)).success += n;
      else if (kind === 'ko') this.hour(Number(arg)).failed += n;
      else if (kind === 'f') this.failures.set(arg, (this.failures.get(arg) ?? 0) + n);
      else if (kind === 'd') this.durations.set(Number(arg), (this.durations.get(Number(arg)) ?? 0) + n);
    }
  }

  /** The counters one task contributes (what the scripts count for it). */
  static countersOf(row: StoredRow): Counters {
    const c: Counters = { [`s:${row.status}`]: '1' };
    const fin = row.finishedAt ? Math.floor(Date.parse(row.finishedAt) / HOUR_MS) : null;
    if (row.status === 'success' && fin !== null) {
      c[`ok:${fin}`] = '1';
      if (row.startedAt && row.finishedAt) c[`d:${durationBucket(Date.parse(row.finishedAt) - Date.parse(row.startedAt))}`] = '1';
    } else if (row.status === 'failed') {
      if (fin !== null) c[`ko:${fin}`] = '1';
      c[`f:${row.error?.code ?? 'INTERNAL'}`] = '1';
    }
    return c;
  }
}

function percentile(buckets: Map<number, number>, count: number, p: number): number | null {
  if (count <= 0) return null;
  const rank = Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1));
  let seen = 0;
  for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
    seen += buckets.get(b) ?? 0;
    if (seen > rank) return bucketMiddle(b);
  }
  return null;
}

export class Stats {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly lists: TaskLists,
    private readonly rows: TaskRows,
  ) {}

  async summary(userId: string, since: Date): Promise<StatsSummary> {
    const from = since.getTime();
    const firstHour = Math.floor(from / HOUR_MS);
    const aligned = from === firstHour * HOUR_MS;
    const [hours, complete] = await Promise.all([
      this.redis.zRange(this.keys.stats.hours(userId), firstHour, '+inf', { BY: 'SCORE' }),
      this.lists.complete(),
    ]);
    const tally = new Tally();
    const read = this.redis.multi();
    for (const h of hours) read.hGetAll(this.keys.stats.hour(userId, Number(h)));
    const counters = hours.length > 0 ? ((await read.exec()) as unknown as Counters[]) : [];
    hours.forEach((h, i) => {
      const hour = Number(h);
      if (hour === firstHour && !aligned) return;
      tally.add(hour, counters[i] ?? {});
    });
    if (!aligned && hours.includes(String(firstHour))) await this.partialHour(userId, firstHour, from, counters[hours.indexOf(String(firstHour))] ?? {}, tally);

    const byStatus = tally.byStatus;
    const total = TASK_STATUSES.reduce((n, s) => n + byStatus[s], 0);
    const finished = byStatus.success + byStatus.failed + byStatus.unconfirmed;
    // A row's bucket is computed here and in Lua alike; a float that lands on a boundary may
    // differ by one bucket, never in count, so buckets left at or below zero are dropped.
    for (const [b, n] of tally.durations) if (n <= 0) tally.durations.delete(b);
    const durationCount = [...tally.durations.values()].reduce((a, b) => a + b, 0);
    return {
      since: since.toISOString(),
      total,
      byStatus,
      successRate: finished === 0 ? null : byStatus.success / finished,
      durationMs: { p50: percentile(tally.durations, durationCount, 50), p95: percentile(tally.durations, durationCount, 95), count: durationCount },
      failuresByCode: [...tally.failures]
        .filter(([, count]) => count > 0)
        .map(([code, count]) => ({ code: code as ErrorCode, count }))
        .sort((a, b) => b.count - a.count),
      perHour: [...tally.perHour]
        .filter(([, b]) => b.created !== 0 || b.success !== 0 || b.failed !== 0)
        .sort((a, b) => a[0] - b[0])
        .map(([hour, b]) => ({ hour: new Date(hour * HOUR_MS).toISOString(), ...b })),
      ...(complete ? {} : { rebuilding: true as const }),
    };
  }

  /** The hour `since` falls in: its tasks created from `since` on, exactly. */
  private async partialHour(userId: string, hour: number, from: number, counters: Counters, tally: Tally): Promise<void> {
    const start = hour * HOUR_MS;
    const end = start + HOUR_MS - 1;
    const before = await this.createdBetween(userId, start, from - 1);
    const beforeCount = before.length;
    const inHour = Object.entries(counters).reduce((n, [f, v]) => (f.startsWith('s:') ? n + Number(v) : n), 0);
    if (beforeCount <= inHour - beforeCount) {
      tally.add(hour, counters);
      for (const row of (await this.rows.get(before)).values()) tally.add(hour, Tally.countersOf(row), -1);
    } else {
      const after = await this.createdBetween(userId, from, end);
      for (const row of (await this.rows.get(after)).values()) tally.add(hour, Tally.countersOf(row));
    }
  }

  /** Ids of the user's tasks created in [min, max] (ms), over every account and status. */
  private async createdBetween(userId: string, min: number, max: number): Promise<string[]> {
    if (max < min) return [];
    const accounts = await this.lists.accountsOf(userId);
    const multi = this.redis.multi();
    for (const a of accounts) for (const s of TASK_STATUSES) multi.zRange(this.keys.ix.byAccount(a, 'c', s), min, max, { BY: 'SCORE' });
    if (accounts.length === 0) return [];
    return ((await multi.exec()) as unknown as string[][]).flat();
  }
}
