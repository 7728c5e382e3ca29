// The supervisor against real processes and real kills: small Node servers stand in for the apps.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startApp, tempDir } from './index.js';
import { OWNER, taggedPids } from './proc.js';
import { Supervisor } from './supervise.js';

// Answers /healthz; with CRASH_AFTER_MS set, exits with code 3 that long after its first health
// answer, so the supervisor has seen it come back before it dies again, however busy the machine.
const STUB = `import { createServer } from 'node:http';
const port = Number(process.env.WORKER_HTTP_PORT);
const after = Number(process.env.CRASH_AFTER_MS || 0);
let armed = false;
createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404).end();
  if (req.url === '/healthz' && after > 0 && !armed) {
    armed = true;
    setTimeout(() => { console.error('stub: giving up'); process.exit(3); }, after);
  }
}).listen(port, '127.0.0.1');`;

/** Collects the supervisor's lines and lets a test wait for one. */
class Lines {
  readonly all: string[] = [];
  private waiters: (() => void)[] = [];
  readonly log = (line: string): void => {
    this.all.push(line);
    for (const w of this.waiters) w();
  };
  async until(re: RegExp, count = 1, timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.all.filter((l) => re.test(l));
      if (hits.length >= count) return hits;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} x ${re}; got:\n${this.all.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }
}

async function stub(dir: string, label: string, env: Record<string, string> = {}) {
  const entry = join(dir, 'main.mjs');
  writeFileSync(entry, STUB);
  const port = await freePort();
  return startApp('worker', { entry, port, label, logFile: join(dir, `${label}.log`), env: { WORKER_HTTP_PORT: String(port), ...env }, graceMs: 2000 });
}

describe('Supervisor', () => {
  it('restarts a killed part on its port with a log line; the other part keeps its process', async () => {
    await using tmp = await tempDir('supervise-test-');
    const a = await stub(tmp.path, 'part-a');
    const b = await stub(tmp.path, 'part-b');
    const lines = new Lines();
    const sup = new Supervisor({ log: lines.log, backoffMs: 100 });
    try {
      sup.watch(a);
      sup.watch(b);
      const [firstA, firstB] = [a.pid, b.pid];
      a.signal('SIGKILL');
      const [died] = await lines.until(/^part-a exited unexpectedly/);
      expect(died).toMatch(/killed by SIGKILL\); restarting it in 0\.1 s \(1 exit within 60 s; left down at 5\)/);
      const [back] = await lines.until(/^part-a is back/);
      expect(back).toContain(`port ${a.port}`);
      expect(a.pid).not.toBe(firstA);
      expect(a.running).toBe(true);
      expect(b.pid).toBe(firstB);
      expect(sup.status()).toEqual([
        expect.objectContaining({ name: 'part-a', state: 'running', pid: a.pid, restarts: 1, recentExits: 1, lastExit: 'exited unexpectedly (killed by SIGKILL)' }),
        expect.objectContaining({ name: 'part-b', state: 'running', pid: firstB, restarts: 0, lastExit: null }),
      ]);
      // A second exit within the window waits twice as long.
      a.signal('SIGKILL');
      expect((await lines.until(/^part-a exited unexpectedly/, 2))[1]).toMatch(/restarting it in 0\.2 s \(2 exits within 60 s/);
      await lines.until(/^part-a is back/, 2);
    } finally {
      await sup.stop();
      await a.stop();
      await b.stop();
    }
    expect(taggedPids(OWNER)).toEqual([]);
  }, 60_000);

  it('leaves a part that keeps dying down after 5 exits within a minute, and the rest running', async () => {
    await using tmp = await tempDir('supervise-test-');
    const flaky = await stub(tmp.path, 'flaky', { CRASH_AFTER_MS: '300' });
    const steady = await stub(tmp.path, 'steady');
    const lines = new Lines();
    const sup = new Supervisor({ log: lines.log, backoffMs: 50 });
    try {
      sup.watch(flaky);
      sup.watch(steady);
      const [gaveUp] = await lines.until(/so it is left down/);
      expect(gaveUp).toMatch(/^flaky exited unexpectedly \(exit code 3\): 5 exits within 60 s, so it is left down and everything else keeps running\. Its log is .*flaky\.log/);
      expect(lines.all.filter((l) => /^flaky is back/.test(l))).toHaveLength(4);
      expect(flaky.running).toBe(false);
      expect(steady.running).toBe(true);
      expect(sup.status()).toEqual([
        expect.objectContaining({ name: 'flaky', state: 'down', pid: null, restarts: 4, recentExits: 5 }),
        expect.objectContaining({ name: 'steady', state: 'running', restarts: 0 }),
      ]);
      // The steady part is still watched: it is restarted when it dies.
      steady.signal('SIGKILL');
      await lines.until(/^steady is back/);
    } finally {
      await sup.stop();
      await flaky.stop();
      await steady.stop();
    }
    expect(taggedPids(OWNER)).toEqual([]);
  }, 60_000);

  it('counts a restart that fails before the part is ready as an exit', async () => {
    await using tmp = await tempDir('supervise-test-');
    const part = await stub(tmp.path, 'part');
    const lines = new Lines();
    const sup = new Supervisor({ log: lines.log, backoffMs: 50, limit: 3 });
    try {
      sup.watch(part);
      // From now on the program dies before it answers /healthz.
      writeFileSync(join(tmp.path, 'main.mjs'), `console.error('cannot start: MONGODB_URI is missing'); process.exit(2);`);
      part.signal('SIGKILL');
      const [down] = await lines.until(/so it is left down/);
      expect(lines.all.filter((l) => /did not come back \(devstack: part exited \(code 2/.test(l))).toHaveLength(2);
      expect(down).toMatch(/^part did not come back .*: 3 exits within 60 s, so it is left down/);
      expect(sup.status()[0]).toMatchObject({ state: 'down', restarts: 0, recentExits: 3 });
    } finally {
      await sup.stop();
      await part.stop();
    }
    expect(taggedPids(OWNER)).toEqual([]);
  }, 60_000);
});
