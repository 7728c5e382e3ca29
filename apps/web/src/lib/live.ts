/**
 * The live feed: one `task.onUpdate` subscription per signed-in app, started before any list
 * is loaded (lists wait for `ready`), feeding the task store. While the connection drops, the
 * link reconnects by itself and resends the last event id. When the stream ends instead (a
 * server that shuts down gracefully closes it), it is opened again here, from the last event id
 * seen, with a growing pause; only a refused session stops it for good.
 */
import type { TaskEvent } from '@zpub/shared';
import { createSignal } from 'solid-js';
import { isUnauthorized } from './errors';
import type { Api } from './trpc';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface Live {
  state: () => ConnectionState;
  /** Resolves once the subscription is established (or after a grace period if it cannot be). */
  ready: Promise<void>;
  restart: () => void;
  stop: () => void;
}

/** How long lists wait for the subscription before loading anyway (they still get events later). */
const READY_GRACE_MS = 4000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15_000;

export function createLive(api: Api, onEvent: (e: TaskEvent) => void, onUnauthorized: () => void): Live {
  const [state, setState] = createSignal<ConnectionState>('connecting');
  let everLive = false;
  let lastEventId: string | null = null;
  let sub: { unsubscribe: () => void } | null = null;
  let stopped = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const grace = setTimeout(() => markReady(), READY_GRACE_MS);

  function retryLater(): void {
    if (stopped || retryTimer) return;
    setState(everLive ? 'reconnecting' : 'connecting');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!stopped) start();
    }, retryMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  }

  function start(): void {
    const previous = sub;
    sub = null; // first, so that its closing callbacks are not taken for a drop
    previous?.unsubscribe();
    setState(everLive ? 'reconnecting' : 'connecting');
    // Each subscription object gets its own callbacks, so a late call from a replaced one is ignored.
    let current: { unsubscribe: () => void } | null = null;
    const mine = () => current !== null && current === sub;
    current = api.task.onUpdate.subscribe(lastEventId ? { lastEventId } : undefined, {
      onStarted() {
        if (!mine()) return;
        everLive = true;
        retryMs = RETRY_MIN_MS;
        setState('live');
        clearTimeout(grace);
        markReady();
      },
      onData(tracked) {
        lastEventId = tracked.id;
        onEvent(tracked.data);
      },
      onConnectionStateChange(s) {
        if (!mine()) return;
        if (s.state === 'pending') setState('live');
        else if (s.state === 'connecting') setState(everLive ? 'reconnecting' : 'connecting');
      },
      onError(err) {
        if (!mine()) return;
        if (isUnauthorized(err)) {
          stopped = true;
          setState('offline');
          onUnauthorized();
          return;
        }
        retryLater();
      },
      onComplete() {
        // The stream ended without an error (e.g. the server shut down): open it again.
        if (mine()) retryLater();
      },
    });
    sub = current;
  }

  function stop(): void {
    stopped = true;
    clearTimeout(grace);
    clearTimeout(retryTimer);
    retryTimer = undefined;
    const s = sub;
    sub = null;
    s?.unsubscribe();
    setState('offline');
  }

  start();
  return {
    state,
    ready,
    restart() {
      stopped = false;
      retryMs = RETRY_MIN_MS;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      start();
    },
    stop,
  };
}
