/**
 * A per-key limit of points per window in Redis, counted as rate-limiter-flexible's
 * RateLimiterRedis counts it (a counter per key that expires with its window; same keys, same
 * refusal, a RateLimiterRes with the wait), but the consumptions asked for in one event-loop turn
 * go to Redis as one script call. Each submission flat out sent a 380-byte EVAL of its own, a
 * write and a script hash per task; under load one call now carries every key of the turn.
 */
import { Script, type RedisClient } from '@zpub/shared/node';
import { RateLimiterRes } from 'rate-limiter-flexible';

// KEYS: the counters. ARGV: the window in seconds, then the points each key takes.
// Returns, per key, the points consumed in its window and the milliseconds left of it.
const CONSUME = new Script(`
local out = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[1], 'NX')
  local consumed = redis.call('INCRBY', key, ARGV[i + 1])
  local ttl = redis.call('PTTL', key)
  if ttl == -1 then
    redis.call('EXPIRE', key, ARGV[1])
    ttl = 1000 * ARGV[1]
  end
  out[2 * i - 1] = consumed
  out[2 * i] = ttl
end
return out
`);

interface Pending {
  key: string;
  points: number;
  resolve: (res: RateLimiterRes) => void;
  reject: (err: unknown) => void;
}

/** Past this many keys refused at once, the expired ones are swept. */
const REFUSED_SWEEP_AT = 10_000;

export class BatchedLimiter {
  private pending: Pending[] = [];
  private scheduled = false;
  /**
   * Keys Redis refused, until their window ends: a counter past the limit only grows until it
   * expires, so the answer until then is known here, and a client that keeps trying costs no
   * Redis call (and, for a submission, no write undone: tasks.ts saves while the limit is asked).
   */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly opts: { keyPrefix: string; points: number; durationS: number },
  ) {}

  /** Takes `points` from `key`'s window: resolves while within the limit, rejects with a RateLimiterRes past it. */
  consume(key: string, points = 1): Promise<RateLimiterRes> {
    const fullKey = `${this.opts.keyPrefix}:${key}`;
    const until = this.refusedUntil.get(fullKey);
    if (until !== undefined) {
      const left = until - Date.now();
      if (left > 0) return Promise.reject(new RateLimiterRes(0, left, this.opts.points + points, false));
      this.refusedUntil.delete(fullKey);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ key: fullKey, points, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After this turn's I/O callbacks: the requests parsed together are counted together.
      setImmediate(() => {
        this.scheduled = false;
        const batch = this.pending;
        this.pending = [];
        void this.flush(batch);
      });
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    const keys = batch.map((p) => p.key);
    const args = [String(this.opts.durationS), ...batch.map((p) => String(p.points))];
    let reply: unknown;
    try {
      reply = await CONSUME.run(this.redis, keys, args);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const counts = reply as number[];
    const now = Date.now();
    if (this.refusedUntil.size > REFUSED_SWEEP_AT) {
      for (const [key, until] of this.refusedUntil) if (until <= now) this.refusedUntil.delete(key);
    }
    batch.forEach((p, i) => {
      const consumed = Number(counts[2 * i]);
      const res = new RateLimiterRes(Math.max(this.opts.points - consumed, 0), Number(counts[2 * i + 1]), consumed, consumed === p.points);
      if (consumed > this.opts.points) {
        this.refusedUntil.set(p.key, now + res.msBeforeNext);
        p.reject(res);
      } else p.resolve(res);
    });
  }
}
