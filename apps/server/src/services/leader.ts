import { randomUUID } from 'node:crypto';
import type { Logger, RedisClient } from '@zpub/shared/node';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * One server process at a time runs the dispatcher and the projector: a lease in Redis, renewed
 * well before it expires. Losing Redis means losing the lease; another process takes over.
 */
export class Leadership {
  readonly id = randomUUID();
  private leader = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: ((leader: boolean) => void)[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly log: Logger,
    private readonly leaseMs = 10_000,
  ) {}

  get isLeader(): boolean {
    return this.leader;
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
        leader = Number(await this.redis.eval(RENEW, { keys: [this.key], arguments: [this.id, String(this.leaseMs)] })) === 1;
      } else {
        leader = (await this.redis.set(this.key, this.id, { condition: 'NX', expiration: { type: 'PX', value: this.leaseMs } })) === 'OK';
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
    this.log.info({ leader }, leader ? 'this process now dispatches and projects' : 'leadership lost');
    for (const fn of this.listeners) fn(leader);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.leader) {
      this.set(false);
      await this.redis.eval(RELEASE, { keys: [this.key], arguments: [this.id] }).catch(() => undefined);
    }
  }
}
