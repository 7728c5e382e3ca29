import { describe, expect, it } from 'vitest';
import { cancellable } from './format';

describe('cancellable', () => {
  it('offers cancel until the click on 发布, and not after it or once the task ended', () => {
    expect(cancellable({ status: 'pending', stage: 'scheduled' })).toBe(true);
    expect(cancellable({ status: 'queued', stage: 'queued' })).toBe(true);
    expect(cancellable({ status: 'running', stage: 'editor' })).toBe(true);
    expect(cancellable({ status: 'running', stage: 'submitted' })).toBe(false);
    expect(cancellable({ status: 'running', stage: 'redirected' })).toBe(false);
    expect(cancellable({ status: 'success', stage: 'verified' })).toBe(false);
    expect(cancellable({ status: 'failed', stage: 'failed' })).toBe(false);
  });
});
