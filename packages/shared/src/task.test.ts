import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, sourcesOf, TASK_STATUSES } from './task';

describe('task state machine', () => {
  it('follows the lifecycle of DESIGN.md', () => {
    expect(canTransition('pending', 'queued')).toBe(true);
    expect(canTransition('queued', 'running')).toBe(true);
    expect(canTransition('running', 'success')).toBe(true);
    expect(canTransition('running', 'unconfirmed')).toBe(true);
    // An automatic retry waits in the queue again.
    expect(canTransition('running', 'queued')).toBe(true);
  });

  it('lets only pending, queued and running be cancelled, and only endings be retried', () => {
    expect(sourcesOf('cancelled').sort()).toEqual(['pending', 'queued', 'running']);
    expect(TASK_STATUSES.filter((s) => canTransition(s, 'pending') && isTerminal(s)).sort()).toEqual(['cancelled', 'failed', 'unconfirmed']);
  });

  it('never leaves success, and never skips to success without running', () => {
    expect(TASK_STATUSES.filter((s) => canTransition('success', s))).toEqual([]);
    expect(sourcesOf('success')).toEqual(['running']);
  });
});
