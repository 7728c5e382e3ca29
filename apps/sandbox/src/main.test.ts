import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The process as a launcher sees it: one JSON line when listening, exit 0 on SIGTERM, and a
// message naming the variable when the environment is wrong.

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

function run(env: Record<string, string>): ChildProcess {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return child;
}

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('main', () => {
  it('prints one listening line, serves, and exits 0 on SIGTERM', async () => {
    const proc = run({ SANDBOX_PORT: '0', SANDBOX_DELAY_MS: '0' });
    if (!proc.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: proc.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    expect(first).toMatch(/^\{"msg":"sandbox listening","url":"http:\/\/127\.0\.0\.1:\d+"\}$/);
    const { url } = JSON.parse(first) as { url: string };
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });

    const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    proc.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('fails fast naming a bad variable', async () => {
    const proc = run({ SANDBOX_PORT: 'not-a-port' });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('SANDBOX_PORT');
  });
});
