// The virtual display against the real Xvfb: it serves X clients, and it never outlives its
// owner, even one killed with SIGKILL (no cleanup code runs then).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VirtualDisplay } from './xvfb';

const alive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function gone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('VirtualDisplay', () => {
  it('starts Xvfb on a free display and stops it', async () => {
    const lost: string[] = [];
    const vd = await VirtualDisplay.start({ width: 800, height: 600, onLost: (r) => lost.push(r) });
    const pid = vd.pid;
    if (pid === undefined) throw new Error('no pid');
    expect(vd.display).toMatch(/^:\d+$/);
    expect(existsSync(`/tmp/.X11-unix/X${vd.display.slice(1)}`)).toBe(true);
    await vd.stop();
    expect(await gone(pid)).toBe(true);
    expect(lost).toEqual([]);
  });

  it('tells its owner when Xvfb goes away underneath it', async () => {
    let lost: (reason: string) => void = () => undefined;
    const reason = new Promise<string>((r) => (lost = r));
    const vd = await VirtualDisplay.start({ width: 800, height: 600, onLost: lost });
    if (vd.pid !== undefined) process.kill(vd.pid, 'SIGKILL');
    expect(await reason).toMatch(/^Xvfb on display :\d+ exited \(code null, signal SIGKILL\)$/);
    await vd.stop();
  });

  it('exits by itself when its owner is killed with SIGKILL', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const script = `import { VirtualDisplay } from './xvfb.ts';
      const vd = await VirtualDisplay.start({ width: 800, height: 600, onLost: () => undefined });
      console.log(vd.pid);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    let xvfb = 0;
    try {
      const lines = createInterface({ input: owner.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        owner.once('exit', (code) => reject(new Error(`the owner exited (code ${code}) before it started Xvfb`)));
      });
      xvfb = Number(first);
      expect(alive(xvfb)).toBe(true);
      owner.kill('SIGKILL');
      expect(await gone(xvfb)).toBe(true);
    } finally {
      owner.kill('SIGKILL');
      // When the assertion fails, the Xvfb it is about is still ours to end.
      if (xvfb > 0 && alive(xvfb)) process.kill(xvfb, 'SIGKILL');
    }
  });
});
