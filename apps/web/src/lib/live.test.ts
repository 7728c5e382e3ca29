import type { TaskEvent } from '@zpub/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLive } from './live';
import type { Api } from './trpc';
import { event } from './test-fixtures';

interface Callbacks {
  onStarted?: () => void;
  onData?: (d: { id: string; data: TaskEvent }) => void;
  onError?: (err: unknown) => void;
  onComplete?: () => void;
  onConnectionStateChange?: (s: { state: string }) => void;
}

function fakeApi() {
  const calls: { input: unknown; cb: Callbacks; closed: boolean }[] = [];
  const api = {
    task: {
      onUpdate: {
        subscribe(input: unknown, cb: Callbacks) {
          const call = { input, cb, closed: false };
          calls.push(call);
          return { unsubscribe: () => void (call.closed = true) };
        },
      },
    },
  } as unknown as Api;
  return { api, calls };
}

describe('live feed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is ready once started, and passes events on', async () => {
    const { api, calls } = fakeApi();
    const seen: string[] = [];
    const live = createLive(api, (e) => seen.push(e.id), () => undefined);
    expect(live.state()).toBe('connecting');
    await Promise.resolve();
    calls[0]?.cb.onStarted?.();
    expect(live.state()).toBe('live');
    await live.ready;
    const e = event(1, 1);
    calls[0]?.cb.onData?.({ id: e.id, data: e });
    expect(seen).toEqual([e.id]);
    live.stop();
  });

  it('opens the stream again from the last event id when the server ends it', async () => {
    const { api, calls } = fakeApi();
    const live = createLive(api, () => undefined, () => undefined);
    await Promise.resolve();
    calls[0]?.cb.onStarted?.();
    const e = event(1, 1);
    calls[0]?.cb.onData?.({ id: e.id, data: e });
    calls[0]?.cb.onComplete?.();
    expect(live.state()).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.input).toEqual({ lastEventId: e.id });
    await Promise.resolve();
    calls[1]?.cb.onStarted?.();
    expect(live.state()).toBe('live');
    live.stop();
    expect(calls[1]?.closed).toBe(true);
  });

  it('gives up only when the session is refused', async () => {
    const { api, calls } = fakeApi();
    const onUnauthorized = vi.fn();
    const live = createLive(api, () => undefined, onUnauthorized);
    await Promise.resolve();
    calls[0]?.cb.onError?.({ data: { code: 'UNAUTHORIZED' } });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(1);
    expect(live.state()).toBe('offline');
  });
});
