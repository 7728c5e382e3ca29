import { plainCreation } from '@zpub/shared';
import { describe, expect, it } from 'vitest';
import { groupByAttempt, mergeEvents } from './timeline';
import { event } from './test-fixtures';

describe('timeline', () => {
  it('merges the server list with live events without duplicates, grouped by attempt', () => {
    const a = event(1, 0, { attempt: 0, status: 'pending', stage: 'created' });
    const b = event(1, 1, { attempt: 1, status: 'queued', stage: 'queued' });
    const c = event(1, 2, { attempt: 1, status: 'running', stage: 'browser' });
    const d = event(1, 3, { attempt: 2, status: 'running', stage: 'browser' });
    const merged = mergeEvents([a, b, c], [c, d, b]);
    expect(merged.map((e) => e.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect(groupByAttempt([d, a, c, b]).map((g) => [g.attempt, g.events.map((e) => e.stage)])).toEqual([
      [0, ['created']],
      [1, ['queued', 'browser']],
      [2, ['browser']],
    ]);
  });

  it("shows a task's creation once when its detail tells it from the document and the live stream under its own id", () => {
    const live = event(1, 0, { attempt: 0, status: 'pending', stage: 'created' });
    // As in the stream, where an event's id starts with the millisecond it was written.
    live.at = new Date(Number(live.id.slice(0, 13))).toISOString();
    const told = plainCreation(live.taskId, live.userId, new Date(Date.parse(live.at) - 3));
    const queued = event(1, 1, { attempt: 0, status: 'queued', stage: 'queued' });
    expect(told.id).not.toBe(live.id);
    expect(mergeEvents([told, queued], [live]).map((e) => e.stage)).toEqual(['created', 'queued']);
    expect(mergeEvents([live], [told, queued]).map((e) => e.stage)).toEqual(['created', 'queued']);
  });
});
