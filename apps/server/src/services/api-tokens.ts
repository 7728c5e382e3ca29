/**
 * Personal API tokens: `zpub_` + 32 random bytes, shown once at creation; MongoDB keeps only the
 * SHA-256 (as `_id`, so a request finds its token by `_id`). Lookups are cached like sessions and
 * revoked at once on every server process (credential-cache.ts).
 */
import { randomBytes } from 'node:crypto';
import { API_TOKEN_PATTERN, API_TOKEN_PREFIX, LIMITS, type CreatedTokenView, type TokenView } from '@zpub/shared';
import type { Logger, Models, RedisClient } from '@zpub/shared/node';
import { Types } from 'mongoose';
import type { SessionUser } from '../context';
import { CredentialCache, sha256Hex } from './credential-cache';

/** Uses are written to MongoDB at most this often per token and process ("last used" is to the minute). */
const LAST_USED_EVERY_MS = 60_000;

export class ApiTokens {
  private readonly cache: CredentialCache<SessionUser & { tokenId: string }>;
  private readonly usedWrittenAt = new Map<string, number>();

  constructor(
    private readonly models: Models,
    redis: RedisClient,
    subscriber: RedisClient,
    channel: string,
    private readonly log: Logger,
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

  /** Creates a token; the answer is the only place its secret ever appears. */
  async create(userId: string, name: string): Promise<CreatedTokenView | null> {
    const held = await this.models.ApiToken.countDocuments({ userId: new Types.ObjectId(userId) });
    if (held >= LIMITS.tokensMax) return null;
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const doc = {
      _id: sha256Hex(token),
      publicId: new Types.ObjectId().toString(),
      userId: new Types.ObjectId(userId),
      name,
      createdAt: new Date(),
    };
    await this.models.ApiToken.create(doc);
    return { id: doc.publicId, name, createdAt: doc.createdAt.toISOString(), lastUsedAt: null, token };
  }

  async list(userId: string): Promise<TokenView[]> {
    const docs = await this.models.ApiToken.find({ userId: new Types.ObjectId(userId) }).select('publicId name createdAt lastUsedAt').lean();
    return docs
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((d) => ({ id: d.publicId, name: d.name, createdAt: d.createdAt.toISOString(), lastUsedAt: d.lastUsedAt?.toISOString() ?? null }));
  }

  /** Revokes one token of the user; false when the user has no token by that id. */
  async revoke(userId: string, publicId: string): Promise<boolean> {
    const doc = await this.models.ApiToken.findOne({ userId: new Types.ObjectId(userId), publicId }).select('_id').lean();
    if (!doc) return false;
    await this.models.ApiToken.deleteOne({ _id: doc._id });
    await this.cache.revoke(doc._id);
    return true;
  }

  /** Revokes every token of a user (after a password change); answers how many there were. */
  async revokeAll(userId: string): Promise<number> {
    const docs = await this.models.ApiToken.find({ userId: new Types.ObjectId(userId) }).select('_id').lean();
    for (const d of docs) {
      await this.models.ApiToken.deleteOne({ _id: d._id });
      await this.cache.revoke(d._id);
    }
    return docs.length;
  }

  /** The user a token belongs to, or null for a token that is malformed, unknown or revoked. */
  /** The owner of `token`, whose SHA-256 (principal.ts) is `hashed`, unless it was revoked. */
  async lookup(token: string, hashed: string): Promise<(SessionUser & { tokenId: string }) | null> {
    if (!API_TOKEN_PATTERN.test(token)) return null;
    const user = await this.cache.get(hashed, async () => {
      const doc = await this.models.ApiToken.findById(hashed).lean();
      if (!doc) return { value: null };
      if (doc.lastUsedAt) this.usedWrittenAt.set(hashed, Math.max(this.usedWrittenAt.get(hashed) ?? 0, doc.lastUsedAt.getTime()));
      const u = await this.models.User.findById(doc.userId).select('email').lean();
      return { value: u ? { id: u._id.toString(), email: u.email, sessionId: null, tokenId: doc.publicId } : null };
    });
    if (user) this.noteUse(hashed);
    return user;
  }

  private noteUse(hashed: string): void {
    const now = Date.now();
    if (now - (this.usedWrittenAt.get(hashed) ?? 0) < LAST_USED_EVERY_MS) return;
    this.usedWrittenAt.set(hashed, now);
    if (this.usedWrittenAt.size > 50_000) this.usedWrittenAt.clear();
    this.models.ApiToken.updateOne({ _id: hashed }, { $set: { lastUsedAt: new Date(now) } }).catch((err: Error) =>
      this.log.warn({ err: err.message }, 'could not record the use of an API token'),
    );
  }
}
