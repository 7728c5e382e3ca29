/**
 * Who sent a request: a browser session (the `zpub_sid` cookie) or a personal API token
 * (`Authorization: Bearer zpub_...`). A request that carries an Authorization header is judged by
 * it alone, never by a cookie that came along: that is what lets such requests skip the
 * cross-site check (http.ts), since a page elsewhere cannot make a browser add the header.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionUser } from './context';
import type { Services } from './services/services';
import { credentialHash } from './services/credential-cache';
import { SESSION_COOKIE, readCookie } from './services/sessions';

/** What the request presented to prove who it is. `bad-token`: an Authorization header we cannot use. */
export type Credential = { kind: 'session'; sid: string } | { kind: 'token'; token: string } | { kind: 'bad-token' };

export interface Principal {
  user: SessionUser;
  credential: Credential;
  /** SHA-256 of the session id or token: how it is stored, cached and revoked. */
  hash: string;
}

export function credentialOf(req: IncomingMessage): Credential | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const token = /^Bearer +(\S+) *$/i.exec(auth)?.[1];
    return token ? { kind: 'token', token } : { kind: 'bad-token' };
  }
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  return sid ? { kind: 'session', sid } : null;
}

/** Whether a request carries its own credential rather than relying on the browser's cookie. */
export function carriesAuthorization(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined;
}

export async function authenticate(services: Pick<Services, 'sessions' | 'tokens'>, req: IncomingMessage, credential = credentialOf(req)): Promise<Principal | null> {
  if (!credential || credential.kind === 'bad-token') return null;
  const hash = credentialHash(credential.kind === 'session' ? credential.sid : credential.token);
  const user = credential.kind === 'session' ? await services.sessions.lookup(hash) : await services.tokens.lookup(credential.token, hash);
  return user ? { user, credential, hash } : null;
}
