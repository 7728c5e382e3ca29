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

export function signedOut(expired = false): void {
  setSession({ state: 'anon', expired });
}

/**
 * Describes a failed call; an UNAUTHORIZED answer means the session ended (expired, revoked,
 * or signed out in another tab), so the app goes back to the sign-in page.
 */
export function report(err: unknown): Problem {
  if (isUnauthorized(err) && session().state === 'user') signedOut(true);
  return describeError(err);
}
