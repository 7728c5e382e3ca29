/** A task's timeline: events merged without duplicates, in the order they happened, by attempt. */
import { timelineKey, type TaskEvent } from '@zpub/shared';

const byEventId = (a: TaskEvent, b: TaskEvent) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function mergeEvents(a: readonly TaskEvent[], b: readonly TaskEvent[]): TaskEvent[] {
  // A task's creation may come twice under two ids: from its detail (told by its document) and live.
  const byKey = new Map<string, TaskEvent>();
  for (const e of [...a, ...b]) byKey.set(timelineKey(e), e);
  return [...byKey.values()].sort(byEventId);
}

export function groupByAttempt(events: readonly TaskEvent[]): { attempt: number; events: TaskEvent[] }[] {
  const groups = new Map<number, TaskEvent[]>();
  for (const e of [...events].sort(byEventId)) {
    const list = groups.get(e.attempt) ?? [];
    list.push(e);
    groups.set(e.attempt, list);
  }
  return [...groups].sort((x, y) => x[0] - y[0]).map(([attempt, list]) => ({ attempt, events: list }));
}
