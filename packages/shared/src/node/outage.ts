/** Telling "MongoDB or Redis is out of reach for now" from a bug or bad input, and waiting it out. */

const OUTAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|Server selection timed out|not connected|Connection (is )?closed|client is closed|offline queue|topology was destroyed|connection pool|buffering timed out/i;

/** Whether a failure is MongoDB or Redis being out of reach, rather than a bug or bad input. */
export function isOutage(err: unknown): boolean {
  for (let e = err as { name?: string; message?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (/^Mongo(ose)?(Network|ServerSelection|NotConnected|PoolCleared|TopologyClosed)Error$/.test(e.name ?? '')) return true;
    if (/^(ClientClosedError|ClientOfflineError|SocketClosedUnexpectedlyError|ConnectionTimeoutError)$/.test(e.name ?? '')) return true;
    if (OUTAGE.test(e.message ?? '')) return true;
  }
  return false;
}

/**
 * Runs `fn`, and again (with backoff up to 2 s) while it fails with an outage and `patienceMs` has
 * not passed: a store that restarts delays the caller instead of failing it. Other errors, and the
 * outage that outlasts the patience, are thrown.
 */
export async function throughOutages<T>(fn: () => Promise<T>, patienceMs: number): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isOutage(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
    }
  }
}
