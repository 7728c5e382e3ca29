/**
 * The key that seals the cookies can be rotated with the documented command (docs/security.md):
 * cookies sealed with the old key are re-sealed with the new one, and a worker that knows only the
 * new key still publishes. Without a key, production refuses to start.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, repoRoot, startApp } from '@zpub/devstack';
import { SecretBox, parseKey } from '@zpub/shared/node';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';

const run = promisify(execFile);
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('hex');
const oldBox = new SecretBox(parseKey(OLD, 'old'));
const newBox = new SecretBox(parseKey(NEW, 'new'));

let stack: TestStack;

beforeAll(async () => {
  // Server (and, later, the first worker) seal and open with the old key.
  stack = await bootStack({ workers: 0, env: { ZPUB_SECRET_KEY: OLD } });
});

afterAll(async () => {
  await stack?.stop();
});

/** `node apps/server/dist/rotate-key.js`, as an operator runs it, with exactly these variables. */
async function rotateKey(env: Record<string, string>, args: string[] = []): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot(), 'apps/server/dist/rotate-key.js'), ...args], {
      env: { PATH: process.env['PATH'] ?? '', MONGODB_URI: stack.urls.mongo, DATA_DIR: stack.dir, NODE_ENV: 'production', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function sealedOf(accountId: string): Promise<string> {
  const db = await stack.db();
  const doc = await db.collection('accounts').findOne({ _id: new Types.ObjectId(accountId) });
  return String(doc?.['cookiesSealed']);
}

describe('rotating the secret key', () => {
  it('re-seals every account with the new key, and a worker with only the new key publishes', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const other = await user.sandboxAccount();
    const before = await sealedOf(account.id);
    expect(before.startsWith(`v1.${oldBox.currentKeyId}.`)).toBe(true);
    expect(() => newBox.open(before)).toThrow();

    // A dry run says what it would do and writes nothing.
    const dry = await rotateKey({ ZPUB_SECRET_KEY: NEW, ZPUB_SECRET_KEY_PREVIOUS: OLD }, ['--dry-run']);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.out).toContain('accounts: 2 to re-seal, 0 already current, 0 unreadable');
    expect(await sealedOf(account.id)).toBe(before);

    // Forgetting the old key: nothing can be read, the command says so and fails.
    const forgot = await rotateKey({ ZPUB_SECRET_KEY: NEW });
    expect(forgot.code).toBe(1);
    expect(forgot.out).toContain('0 re-sealed, 0 already current, 2 unreadable');
    expect(forgot.out).toContain(account.id);
    expect(forgot.out).toContain('ZPUB_SECRET_KEY_PREVIOUS');
    expect(await sealedOf(account.id)).toBe(before);

    const rotated = await rotateKey({ ZPUB_SECRET_KEY: NEW, ZPUB_SECRET_KEY_PREVIOUS: OLD });
    expect(rotated).toMatchObject({ code: 0 });
    expect(rotated.out).toContain('accounts: 2 re-sealed, 0 already current, 0 unreadable');
    // Neither key is ever printed.
    expect(rotated.out).not.toContain(OLD);
    expect(rotated.out).not.toContain(NEW);
    for (const id of [account.id, other.id]) {
      const after = await sealedOf(id);
      expect(after.startsWith(`v1.${newBox.currentKeyId}.`)).toBe(true);
      expect(() => oldBox.open(after)).toThrow();
      expect(newBox.open(after)).toContain(`sandbox-`);
    }
    expect(newBox.open(await sealedOf(account.id))).toContain(`sandbox-${account.name}`);

    // Run again: nothing left to do.
    const again = await rotateKey({ ZPUB_SECRET_KEY: NEW, ZPUB_SECRET_KEY_PREVIOUS: OLD });
    expect(again.out).toContain('accounts: 0 re-sealed, 2 already current, 0 unreadable');

    // The old key is gone from the workers; the new one alone opens the cookies.
    await stack.addWorker({ ZPUB_SECRET_KEY: NEW, ZPUB_SECRET_KEY_PREVIOUS: '' });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '换钥之后', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && ['success', 'failed', 'unconfirmed'].includes(e.status)), 120_000, 'the task to end');
    rec.stop();
    expect(rec.of(taskId).at(-1)).toMatchObject({ status: 'success', stage: 'verified' });
    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles.map((a) => a.title)).toEqual(['换钥之后']);
  });

  it('refuses to start the server in production without a key', async () => {
    const port = await freePort();
    const start = startApp('server', {
      port,
      label: 'server-nokey',
      logFile: join(stack.dir, 'logs', 'server-nokey.log'),
      readyTimeoutMs: 30_000,
      env: { ...stack.server.env, PORT: String(port), PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, NODE_ENV: 'production', ZPUB_SECRET_KEY: '' },
    });
    await expect(start).rejects.toThrow(/ZPUB_SECRET_KEY is required in production/);
  });

  it('refuses to rotate in production without a key', async () => {
    const res = await rotateKey({});
    expect(res.code).toBe(1);
    expect(res.out).toContain('ZPUB_SECRET_KEY is required in production');
  });
});
