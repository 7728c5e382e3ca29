import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import { authenticate, credentialOf, type Credential } from './principal';
import type { Services } from './services/services';

export interface SessionUser {
  id: string;
  email: string;
  /** The stored session's hash; null when the request came with an API token. */
  sessionId: string | null;
}

export interface Context {
  services: Services;
  user: SessionUser | null;
  /** How the request tried to identify itself, whether or not that worked. */
  credential: Credential['kind'] | null;
  /** The raw session id from the cookie (never logged, never returned). */
  sid: string | null;
  /** SHA-256 of the credential that let the request in, to end its streams when it is revoked. */
  credentialHash: string | null;
  ip: string;
  req: IncomingMessage | null;
  res: ServerResponse | null;
}

/** The context without HTTP: tests call procedures directly with it. */
export function createContextInner(opts: {
  services: Services;
  user?: SessionUser | null;
  credential?: Credential['kind'] | null;
  credentialHash?: string | null;
  sid?: string | null;
  ip?: string;
  req?: IncomingMessage | null;
  res?: ServerResponse | null;
}): Context {
  return {
    services: opts.services,
    user: opts.user ?? null,
    credential: opts.credential ?? (opts.user ? 'session' : null),
    sid: opts.sid ?? null,
    credentialHash: opts.credentialHash ?? null,
    ip: opts.ip ?? '127.0.0.1',
    req: opts.req ?? null,
    res: opts.res ?? null,
  };
}

/**
 * The client's address. Behind `trustProxy` reverse proxies it is the entry that many places
 * from the right of X-Forwarded-For (each proxy appends the address it saw); entries further left
 * were written by the client and prove nothing.
 */
export function clientIp(req: IncomingMessage, trustProxy: number): string {
  const socket = req.socket.remoteAddress ?? '';
  if (trustProxy === 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return hops[hops.length - trustProxy] ?? hops[0] ?? socket;
}

export function contextFactory(services: Services) {
  return async ({ req, res }: CreateHTTPContextOptions): Promise<Context> => {
    const credential = credentialOf(req);
    const principal = await authenticate(services, req, credential);
    const sid = credential?.kind === 'session' ? credential.sid : null;
    return createContextInner({
      services,
      user: principal?.user ?? null,
      credential: credential?.kind ?? null,
      credentialHash: principal?.hash ?? null,
      sid,
      ip: clientIp(req, services.env.TRUST_PROXY),
      req,
      res,
    });
  };
}
