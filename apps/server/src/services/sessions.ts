/**
 * Sessions: a random id in an httpOnly cookie; MongoDB keeps only its SHA-256. Lookups are cached
 * briefly per process; logout and password changes revoke at once everywhere, through Redis.
 */
import { randomBytes } from 'node:crypto';
import type { Logger, Models, RedisClient } from '@zpub/shared/node';
import { Types } from 'mongoose';
import type { SessionUser } from '../context';
import { CredentialCache, sha256Hex } from './credential-cache';

export const SESSION_COOKIE = 'zpub_sid';

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** The `Set-Cookie` value that starts (sid) or ends (null) a session in the browser. */
export function sessionCookie(sid: string | null, maxAgeS: number, secure: boolean): string {
  // SameSite=Lax: not sent on cross-site POSTs; the Origin check in http.ts is the second fence.
  const attrs = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  return sid ? `${SESSION_COOKIE}=${sid}; ${attrs}; Max-Age=${maxAgeS}` : `${SESSION_COOKIE}=; ${attrs}; Max-Age=0`;
}

export class Sessions {
  private readonly cache: CredentialCache<SessionUser>;

  constructor(
    private readonly models: Models,
    redis: RedisClient,
    subscriber: RedisClient,
    channel: string,
    private readonly ttlDays: number,
    log: Logger,
  ) {
    this.cache = new CredentialCache(redis, subscriber, channel, log);
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  /** Aborts when the credential with this hash is revoked (see CredentialCache.watch). */
  watch(hashed: string, until: AbortSignal): AbortSignal {
    return this.cache.watch(hashed, until);
  }

  get maxAgeS(): number {
    return this.ttlDays * 24 * 3600;
  }

  async create(userId: string, meta: { ip: string; userAgent: string }): Promise<string> {
    const sid = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.models.Session.create({
      _id: sha256Hex(sid),
      userId: new Types.ObjectId(userId),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.maxAgeS * 1000),
      ip: meta.ip,
      userAgent: meta.userAgent.slice(0, 300),
    });
    return sid;
  }

  /** The session whose id hashes (SHA-256, principal.ts) to `hashed`, if it is still valid. */
  lookup(hashed: string): Promise<SessionUser | null> {
    return this.cache.get(hashed, async () => {
      const session = await this.models.Session.findById(hashed).lean();
      if (!session) return { value: null };
      if (session.expiresAt.getTime() <= Date.now()) {
        // Expired: nobody can use it again, so it need not be kept.
        await this.models.Session.deleteOne({ _id: hashed }).catch(() => undefined);
        return { value: null };
      }
      const u = await this.models.User.findById(session.userId).select('email').lean();
      return { value: u ? { id: u._id.toString(), email: u.email, sessionId: hashed } : null, until: session.expiresAt.getTime() };
    });
  }

  async revoke(sessionId: string): Promise<void> {
    await this.models.Session.deleteOne({ _id: sessionId });
    await this.cache.revoke(sessionId);
  }

  /** Ends every session of a user except one (after a password change). */
  async revokeOthers(userId: string, keep: string): Promise<number> {
    const others = await this.models.Session.find({ userId: new Types.ObjectId(userId), _id: { $ne: keep } }).select('_id').lean();
    for (const s of others) await this.revoke(s._id);
    return others.length;
  }
}
