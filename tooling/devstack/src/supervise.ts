// Keeps the parts of a long-running stack up: a part that exits on its own is started again after
// a growing pause, with a log line each time; one that keeps dying is left down so the rest keeps
// serving. Used by `./dev start` and `./dev worker`; the test stacks leave restarts to the tests.
import type { ExitInfo, ProcessHandle } from './proc.js';
import { errorMessage } from './util.js';

export type PartState = 'running' | 'restarting' | 'down';

export interface PartStatus {
  name: string;
  state: PartState;
  /** The current process; null while the part is down or between a death and its restart. */
  pid: number | null;
  port: number;
  /** Successful restarts since the start. */
  restarts: number;
  /** Exits counted towards the limit (those within the window). */
  recentExits: number;
  /** How the last process ended, or why the last restart failed. */
  lastExit: string | null;
  lastExitAt: string | null;
}

export interface SuperviseOptions {
  /** Where restart and give-up lines go (the CLI prints them with `[dev]`). */
  log: (line: string) => void;
  /** Called after every change of a part's status (the CLI writes its status file). */
  onChange?: (parts: PartStatus[]) => void;
  /** A part that exits this many times within windowMs is left down. Default 5. */
  limit?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** Pause before the first restart; it doubles for each further exit within the window. Default 1 s. */
  backoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
}

interface Part {
  handle: ProcessHandle;
  status: PartStatus;
  exits: number[];
}

export function describeExit(info: ExitInfo): string {
  if (info.signal !== null) return `killed by ${info.signal}`;
  return `exit code ${info.code ?? 'unknown'}`;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export class Supervisor {
  private readonly parts: Part[] = [];
  private readonly restarting = new Set<Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private stopped = false;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly opts: SuperviseOptions) {
    this.limit = opts.limit ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  /** Starts watching a running part. */
  watch(handle: ProcessHandle): void {
    const part: Part = {
      handle,
      exits: [],
      status: { name: handle.name, state: 'running', pid: handle.pid, port: handle.port, restarts: 0, recentExits: 0, lastExit: null, lastExitAt: null },
    };
    this.parts.push(part);
    this.changed();
    void this.follow(part);
  }

  status(): PartStatus[] {
    return this.parts.map((p) => ({ ...p.status }));
  }

  /**
   * No more restarts. Resolves once no restart is under way, so whoever stops the processes next
   * sees each part's latest process (an app's start in progress ends early when its stack's
   * abort signal fires).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.timers.clear();
    while (this.restarting.size > 0) await Promise.allSettled([...this.restarting]);
  }

  private changed(): void {
    this.opts.onChange?.(this.status());
  }

  /** Resolves true after ms, or false at once when the supervisor stops. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve(!this.stopped);
        }, ms),
        wake: () => resolve(false),
      };
      this.timers.add(entry);
    });
  }

  /** Restarts the part; false (with the reason in its status) when it did not come back. */
  private async restart(part: Part): Promise<boolean> {
    const run = part.handle.restart();
    this.restarting.add(run);
    try {
      await run;
      return true;
    } catch (err) {
      part.status.lastExit = `did not come back (${errorMessage(err).split('\n')[0] ?? 'no reason given'})`;
      return false;
    } finally {
      this.restarting.delete(run);
    }
  }

  // One loop per part for its whole life: wait for the exit, count it, pause, restart, repeat.
  private async follow(part: Part): Promise<void> {
    const { handle, status } = part;
    let reason = `exited unexpectedly (${describeExit(await handle.exited)})`;
    while (!this.stopped) {
      const now = Date.now();
      part.exits = [...part.exits.filter((t) => now - t < this.windowMs), now];
      Object.assign(status, { state: 'restarting', pid: null, recentExits: part.exits.length, lastExit: reason, lastExitAt: new Date(now).toISOString() });
      const within = `${part.exits.length} exit${part.exits.length === 1 ? '' : 's'} within ${seconds(this.windowMs)}`;
      if (part.exits.length >= this.limit) {
        status.state = 'down';
        this.changed();
        this.opts.log(
          `${handle.name} ${reason}: ${within}, so it is left down and everything else keeps running. ` +
            `Its log is ${handle.logFile}. Fix the cause, then restart zpub (Ctrl-C, then ./dev start).`,
        );
        return;
      }
      const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (part.exits.length - 1));
      this.changed();
      this.opts.log(`${handle.name} ${reason}; restarting it in ${seconds(delay)} (${within}; left down at ${this.limit})`);
      if (!(await this.pause(delay)) || this.stopped) return;
      const t0 = Date.now();
      const ok = await this.restart(part);
      if (this.stopped) return;
      if (!ok) {
        reason = status.lastExit ?? 'did not come back';
        continue;
      }
      status.restarts += 1;
      Object.assign(status, { state: 'running', pid: handle.pid });
      this.changed();
      this.opts.log(`${handle.name} is back: pid ${handle.pid}, port ${handle.port}, ready ${seconds(Date.now() - t0)} after the restart began (restart ${status.restarts})`);
      reason = `exited unexpectedly (${describeExit(await handle.exited)})`;
    }
  }
}
