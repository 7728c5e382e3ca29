/**
 * Who sent a request. Today a browser session (the `zpub_sid` cookie); a later issue adds personal
 * API tokens (`Authorization: Bearer ...`) here, and every route that asks `authenticate` gets them.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionUser } from './context';
import type { Services } from './services/services';
import { SESSION_COOKIE, readCookie } from './services/sessions';

/** What the request presented to prove who it is. */
export type Credential = { kind: 'session'; sid: string };

export interface Principal {
  user: SessionUser;
  credential: Credential;
}

export function credentialOf(req: IncomingMessage): Credential | null {
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  return sid ? { kind: 'session', sid } : null;
}

export async function authenticate(services: Pick<Services, 'sessions'>, req: IncomingMessage): Promise<Principal | null> {
  const credential = credentialOf(req);
  if (!credential) return null;
  const user = await services.sessions.lookup(credential.sid);
  return user ? { user, credential } : null;
}
