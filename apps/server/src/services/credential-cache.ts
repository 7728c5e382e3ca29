/**
 * Lookups of credentials (session cookies, API tokens), cached briefly per process by the
 * credential's SHA-256. A revocation drops the entry here and, through Redis pub/sub, in every
 * other server process at once; a reconnect of the subscriber (messages may have been missed
 * meanwhile) empties the cache.
 */
import { createHash } from 'node:crypto';
import type { Logger, RedisClient } from '@zpub/shared/node';

const CACHE_MS = 30_000;
const CACHE_MAX = 50_000;

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Credentials seen recently and their hashes (the memory only; emptied when it reaches the bound). */
const hashes = new Map<string, string>();
const HASHES_MAX = 10_000;

/**
 * sha256Hex of a credential presented with a request, remembered: a client sends the same cookie
 * or token with every request, and hashing it each time was a measurable share of a submission.
 */
export function credentialHash(secret: string): string {
  let hash = hashes.get(secret);
  if (hash === undefined) {
    if (hashes.size >= HASHES_MAX) hashes.clear();
    hash = sha256Hex(secret);
    hashes.set(secret, hash);
  }
  return hash;
}

export class CredentialCache<T> {
  private readonly cache = new Map<string, { value: T | null; until: number }>();
  /**
   * Credentials revoked in the last CACHE_MS, and when: a lookup that read MongoDB just before a
   * revocation must not cache (or return) what it read.
   */
  private readonly revokedAt = new Map<string, number>();
  /** Open streams (task.onUpdate) of each credential, ended when it is revoked. */
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly channel: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Another process revoked a credential: drop it from our cache too.
    await this.subscriber.subscribe(this.channel, (hashed) => this.forget(hashed));
    this.subscriber.on('ready', () => this.cache.clear());
  }

  /** The cached answer for `hashed`, or `load()`'s (cached until `until`, at most CACHE_MS). */
  async get(hashed: string, load: () => Promise<{ value: T | null; until?: number }>): Promise<T | null> {
    const now = Date.now();
    const hit = this.cache.get(hashed);
    if (hit && hit.until > now) return hit.value;
    const { value, until } = await load();
    const revoked = this.revokedAt.get(hashed);
    if (revoked !== undefined && revoked >= now) return null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hashed, { value, until: Math.min(now + CACHE_MS, until ?? Infinity) });
    return value;
  }

  /**
   * A signal that aborts when `hashed` is revoked, here or on another process: what was allowed
   * when a stream opened must not go on after. Watching stops when `until` aborts.
   */
  watch(hashed: string, until: AbortSignal): AbortSignal {
    const revoked = new AbortController();
    // Revoked between the lookup that let the request in and now.
    if (this.revokedAt.has(hashed)) {
      revoked.abort();
      return revoked.signal;
    }
    const fire = () => revoked.abort();
    let set = this.watchers.get(hashed);
    if (!set) {
      set = new Set();
      this.watchers.set(hashed, set);
    }
    set.add(fire);
    until.addEventListener(
      'abort',
      () => {
        set.delete(fire);
        if (set.size === 0) this.watchers.delete(hashed);
      },
      { once: true },
    );
    return revoked.signal;
  }

  /** Call after the record is deleted: every process stops accepting the credential. */
  async revoke(hashed: string): Promise<void> {
    this.forget(hashed);
    await this.redis.publish(this.channel, hashed).catch((err: Error) => this.log.warn({ err: err.message }, 'revocation broadcast failed'));
  }

  private forget(hashed: string): void {
    this.cache.delete(hashed);
    for (const fire of this.watchers.get(hashed) ?? []) fire();
    this.watchers.delete(hashed);
    const now = Date.now();
    for (const [k, at] of this.revokedAt) if (at < now - CACHE_MS) this.revokedAt.delete(k);
    this.revokedAt.set(hashed, now);
  }
}
