import { createHash } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { unavailable } from '../services/tasks';
import { AppError } from '../trpc';

/** Takes one point or refuses with RATE_LIMITED and the seconds to wait. */
export async function consumeOrRefuse(limiter: { consume(key: string, points: number): Promise<unknown> }, key: string, what: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (res) {
    if (res instanceof RateLimiterRes) {
      const wait = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw new AppError('TOO_MANY_REQUESTS', `${what}; try again in ${wait} s`, 'RATE_LIMITED', wait);
    }
    throw unavailable('Redis');
  }
}

/** Rate-limit keys name an email without writing it into Redis. */
export function emailKey(email: string): string {
  return createHash('sha256').update(email).digest('base64url');
}
