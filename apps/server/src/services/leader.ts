import { randomUUID } from 'node:crypto';
import type { Logger, RedisClient } from '@zpub/shared/node';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
// KEYS: lease, epoch counter. ARGV: process id, lease ms. The lease's value names the epoch.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local lease = ARGV[1] .. '/' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], lease, 'PX', ARGV[2])
return lease
`;

/**
 * One server process at a time runs the dispatcher and the projector: a lease in Redis, renewed
 * well before it expires. Losing Redis means losing the lease; another process takes over. Each
 * lease carries an epoch (`<process>/<n>`); writes that must come from the leader only check, in
 * the same Redis script as the write where they can (the projector's checkpoint), that the lease
 * still holds that epoch.
 */
export class Leadership {
  readonly id = randomUUID();
  /** The lease value while this process leads (`<id>/<epoch>`), else ''. */
  private lease = '';
  private leader = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: ((leader: boolean) => void)[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly epochKey: string,
    private readonly log: Logger,
    private readonly leaseMs = 10_000,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** The lease this process holds (`<id>/<epoch>`), '' when it does not lead. */
  get currentLease(): string {
    return this.leader ? this.lease : '';
  }

  get leaseKey(): string {
    return this.key;
  }

  /** Asks Redis (not this process's memory) whether the lease is still this epoch's. */
  async holds(lease: string): Promise<boolean> {
    return lease !== '' && (await this.redis.get(this.key)) === lease;
  }

  onChange(fn: (leader: boolean) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    const tick = () => {
      this.tick().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.leaseMs / 4);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  private async tick(): Promise<void> {
    try {
      let leader: boolean;
      if (this.leader) {
        leader = Number(await this.redis.eval(RENEW, { keys: [this.key], arguments: [this.lease, String(this.leaseMs)] })) === 1;
      } else {
        const lease = await this.redis.eval(ACQUIRE, { keys: [this.key, this.epochKey], arguments: [this.id, String(this.leaseMs)] });
        leader = typeof lease === 'string';
        if (typeof lease === 'string') this.lease = lease;
      }
      this.set(leader);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'leadership check failed');
      this.set(false);
    }
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.log.info({ leader, lease: leader ? this.lease : undefined }, leader ? 'this process now dispatches and projects' : 'leadership lost');
    for (const fn of this.listeners) fn(leader);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.leader) {
      this.set(false);
      await this.redis.eval(RELEASE, { keys: [this.key], arguments: [this.lease] }).catch(() => undefined);
    }
  }
}
