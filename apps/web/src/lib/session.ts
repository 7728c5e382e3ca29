/** Who is signed in, app-wide. The session itself is an httpOnly cookie the app never sees. */
import { createSignal } from 'solid-js';
import { describeError, isUnauthorized, type Problem } from './errors';
import { api } from './trpc';

export interface SessionUser {
  id: string;
  email: string;
}

export type Session =
  | { state: 'checking' }
  | { state: 'anon'; expired: boolean }
  | { state: 'error'; message: string }
  | { state: 'user'; user: SessionUser };

const [session, setSession] = createSignal<Session>({ state: 'checking' });
export { session };

export async function checkSession(): Promise<void> {
  setSession({ state: 'checking' });
  try {
    const me = await api.auth.me.query();
    // A sign-in that finished meanwhile wins over this older answer.
    if (session().state !== 'checking') return;
    setSession(me ? { state: 'user', user: { id: me.id, email: me.email } } : { state: 'anon', expired: false });
  } catch (err) {
    if (session().state === 'checking') setSession({ state: 'error', message: describeError(err).message });
  }
}

export function signedIn(user: SessionUser): void {
  setSession({ state: 'user', user });
}

/** Set while a sign-out waits for the server's answer (see signOut). */
let signingOut = false;

export function signedOut(expired = false): void {
  // The server ends the session before its answer, which clears the cookie, reaches the page: the
  // live stream and calls in flight hear of the end first, and must not show the sign-in page
  // while the browser still holds the cookie. The sign-out itself moves on when its answer is in.
  if (expired && signingOut) return;
  setSession({ state: 'anon', expired });
}

/**
 * Ends the session on the server: the cookie is httpOnly, so only the server's answer removes it,
 * and a session left alive behind a sign-in page would still be signed in on this browser. A
 * failed call is tried again (`attempts` in all); an UNAUTHORIZED answer means it had already
 * ended. Resolves to null once it has ended, or to why it could not be ended (still signed in).
 */
export async function signOut(end: () => Promise<unknown>, attempts = 3, pauseMs = 400): Promise<string | null> {
  signingOut = true;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await end();
        return null;
      } catch (err) {
        if (isUnauthorized(err)) return null;
        if (attempt >= attempts) return describeError(err).message;
        await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
      }
    }
  } finally {
    signingOut = false;
  }
}

/**
 * Describes a failed call; an UNAUTHORIZED answer means the session ended (expired, revoked,
 * or signed out in another tab), so the app goes back to the sign-in page.
 */
export function report(err: unknown): Problem {
  if (isUnauthorized(err) && session().state === 'user') signedOut(true);
  return describeError(err);
}
