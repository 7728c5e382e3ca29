import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import type { Services } from './services/services';
import { SESSION_COOKIE, readCookie } from './services/sessions';

export interface SessionUser {
  id: string;
  email: string;
  sessionId: string;
}

export interface Context {
  services: Services;
  user: SessionUser | null;
  /** The raw session id from the cookie (never logged, never returned). */
  sid: string | null;
  ip: string;
  req: IncomingMessage | null;
  res: ServerResponse | null;
}

/** The context without HTTP: tests call procedures directly with it. */
export function createContextInner(opts: {
  services: Services;
  user?: SessionUser | null;
  sid?: string | null;
  ip?: string;
  req?: IncomingMessage | null;
  res?: ServerResponse | null;
}): Context {
  return {
    services: opts.services,
    user: opts.user ?? null,
    sid: opts.sid ?? null,
    ip: opts.ip ?? '127.0.0.1',
    req: opts.req ?? null,
    res: opts.res ?? null,
  };
}

export function contextFactory(services: Services) {
  return async ({ req, res }: CreateHTTPContextOptions): Promise<Context> => {
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    const user = sid ? await services.sessions.lookup(sid) : null;
    return createContextInner({ services, user, sid, ip: req.socket.remoteAddress ?? '', req, res });
  };
}
