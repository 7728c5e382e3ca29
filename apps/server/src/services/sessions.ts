/**
 * Sessions: a random id in an httpOnly cookie; MongoDB keeps only its SHA-256. Lookups are cached
 * briefly per process; logout and password changes revoke at once everywhere, through Redis.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger, Models, RedisClient } from '@zpub/shared/node';
import { Types } from 'mongoose';
import type { SessionUser } from '../context';

export const SESSION_COOKIE = 'zpub_sid';
const CACHE_MS = 30_000;
const CACHE_MAX = 50_000;

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

function digest(sid: string): string {
  return createHash('sha256').update(sid).digest('hex');
}

/** The `Set-Cookie` value that starts (sid) or ends (null) a session in the browser. */
export function sessionCookie(sid: string | null, maxAgeS: number, secure: boolean): string {
  // SameSite=Lax: not sent on cross-site POSTs; the Origin check in http.ts is the second fence.
  const attrs = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  return sid ? `${SESSION_COOKIE}=${sid}; ${attrs}; Max-Age=${maxAgeS}` : `${SESSION_COOKIE}=; ${attrs}; Max-Age=0`;
}

export class Sessions {
  private readonly cache = new Map<string, { user: SessionUser | null; until: number }>();
  /**
   * Sessions revoked in the last CACHE_MS, and when: a lookup that read MongoDB just before a
   * revocation must not cache (or return) what it read.
   */
  private readonly revokedAt = new Map<string, number>();

  constructor(
    private readonly models: Models,
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly channel: string,
    private readonly ttlDays: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Another process revoked a session: drop it from our cache too.
    await this.subscriber.subscribe(this.channel, (hashed) => this.forget(hashed));
  }

  get maxAgeS(): number {
    return this.ttlDays * 24 * 3600;
  }

  async create(userId: string, meta: { ip: string; userAgent: string }): Promise<string> {
    const sid = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.models.Session.create({
      _id: digest(sid),
      userId: new Types.ObjectId(userId),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.maxAgeS * 1000),
      ip: meta.ip,
      userAgent: meta.userAgent.slice(0, 300),
    });
    return sid;
  }

  async lookup(sid: string): Promise<SessionUser | null> {
    const hashed = digest(sid);
    const now = Date.now();
    const hit = this.cache.get(hashed);
    if (hit && hit.until > now) return hit.user;
    const session = await this.models.Session.findById(hashed).lean();
    let user: SessionUser | null = null;
    if (session && session.expiresAt.getTime() > Date.now()) {
      const u = await this.models.User.findById(session.userId).select('email').lean();
      if (u) user = { id: u._id.toString(), email: u.email, sessionId: hashed };
    } else if (session) {
      // Expired: nobody can use it again, so it need not be kept.
      await this.models.Session.deleteOne({ _id: hashed }).catch(() => undefined);
    }
    const revoked = this.revokedAt.get(hashed);
    if (revoked !== undefined && revoked >= now) return null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hashed, { user, until: Math.min(now + CACHE_MS, session?.expiresAt.getTime() ?? Infinity) });
    return user;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.models.Session.deleteOne({ _id: sessionId });
    this.forget(sessionId);
    await this.redis.publish(this.channel, sessionId).catch((err: Error) => this.log.warn({ err: err.message }, 'revocation broadcast failed'));
  }

  /** Ends every session of a user except one (after a password change). */
  async revokeOthers(userId: string, keep: string): Promise<number> {
    const others = await this.models.Session.find({ userId: new Types.ObjectId(userId), _id: { $ne: keep } }).select('_id').lean();
    for (const s of others) await this.revoke(s._id);
    return others.length;
  }

  private forget(hashed: string): void {
    this.cache.delete(hashed);
    const now = Date.now();
    for (const [k, at] of this.revokedAt) if (at < now - CACHE_MS) this.revokedAt.delete(k);
    this.revokedAt.set(hashed, now);
  }
}
