/**
 * Requests a hostile page can make with A's cookie (the cookie is SameSite=Lax, and another port
 * of 127.0.0.1 is the same *site*, so the browser would send it): every state change is refused
 * unless it comes from the app's own origin. Plus the headers every answer carries, and paths
 * that try to leave the SPA's folder.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { answer, postTrpc, settledSnapshot, snapshot } from './helpers';

let stack: TestStack;
let alice: User;
let accountId: string;
let taskId: string;

beforeAll(async () => {
  stack = await bootStack({ workers: 0 });
  alice = await User.register(stack.urls.app);
  accountId = (await alice.sandboxAccount()).id;
  taskId = (await alice.api.task.create.mutate({ accountId, title: '别取消我', content: '正文', scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).taskId;
});

afterAll(async () => {
  await stack?.stop();
});

/** Alice's cookie, sent from a page that is not the app. */
function fromElsewhere(headers: Record<string, string>): User {
  const forged = new User(stack.urls.app, null);
  forged.cookie = alice.cookie;
  const plain = forged.fetch.bind(forged);
  forged.fetch = (input, init) => {
    const h = new Headers(init?.headers);
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    return plain(input, { ...init, headers: h });
  };
  return forged;
}

describe('cross-site requests with the session cookie', () => {
  const port = () => Number(new URL(stack.urls.app).port);
  const hostile: [string, () => Record<string, string>][] = [
    ['another site', () => ({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })],
    ['a sandboxed iframe or a data: URL (Origin: null)', () => ({ Origin: 'null' })],
    ['another port of the same host (same site, other origin)', () => ({ Origin: `http://127.0.0.1:${port() + 1}`, 'Sec-Fetch-Site': 'same-site' })],
    ['a host that starts with the app origin', () => ({ Origin: `${stack.urls.app}.evil.example` })],
    ['the same port under another name', () => ({ Origin: `http://localhost:${port()}` })],
    ['no Origin, but Sec-Fetch-Site: cross-site', () => ({ 'Sec-Fetch-Site': 'cross-site' })],
    ['no Origin, but Sec-Fetch-Site: same-site', () => ({ 'Sec-Fetch-Site': 'same-site' })],
  ];

  it.each(hostile)('refuses every mutation from %s with 403 and changes nothing', async (_what, headers) => {
    const db = await stack.db();
    const before = await settledSnapshot(db);
    const attacker = fromElsewhere(headers());
    const attempts: [string, unknown][] = [
      ['task.cancel', { id: taskId }],
      ['task.create', { accountId, title: 'forged', content: 'forged' }],
      ['account.create', { platform: 'sandbox', name: 'forged', cookies: 'z_c0=sandbox-forged' }],
      ['account.remove', { id: accountId }],
      ['auth.changePassword', { currentPassword: 'correct horse battery', newPassword: 'attacker chose this' }],
      ['auth.logout', undefined],
      // Login CSRF: signing the victim into the attacker's account.
      ['auth.login', { email: 'attacker@example.com', password: 'attacker password' }],
    ];
    for (const [path, body] of attempts) {
      const res = await postTrpc(attacker, path, body);
      expect(res.status, path).toBe(403);
      expect(res.error, path).toMatchObject({ code: 'FORBIDDEN', appCode: 'CROSS_SITE', message: expect.stringContaining('Cross-site requests are not accepted') });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(await snapshot(db)).toEqual(before);
    // Alice is still signed in and her task still waits.
    expect((await alice.api.task.byId.query({ id: taskId })).status).toBe('pending');
  });

  it('does not run a mutation sent as a GET (which no Origin check would see)', async () => {
    const attacker = fromElsewhere({ Origin: 'https://evil.example' });
    const res = await answer(await attacker.fetch(`${stack.urls.trpc}/task.cancel?input=${encodeURIComponent(JSON.stringify({ id: taskId }))}`));
    expect(res.status).toBe(405);
    expect((await alice.api.task.byId.query({ id: taskId })).status).toBe('pending');
  });

  it('lets no other origin read an answer: no CORS headers, not even on a preflight', async () => {
    const attacker = fromElsewhere({ Origin: 'https://evil.example' });
    const read = await attacker.fetch(`${stack.urls.trpc}/task.list?input=${encodeURIComponent('{}')}`);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(read.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await attacker.fetch(`${stack.urls.trpc}/task.cancel`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('accepts the same mutations from the app itself, and from programs that send no Origin', async () => {
    // A script has the cookie only if the person gave it to it; no web page can send this request.
    const script = fromElsewhere({});
    expect((await postTrpc(script, 'task.list', undefined)).status).not.toBe(403);
    const sameOrigin = fromElsewhere({ Origin: stack.urls.app, 'Sec-Fetch-Site': 'same-origin' });
    const res = await postTrpc(sameOrigin, 'task.cancel', { id: taskId });
    expect(res.status).toBe(200);
    expect((await alice.api.task.byId.query({ id: taskId })).status).toBe('cancelled');
  });
});

describe('headers on every answer', () => {
  const paths = ['/', '/tasks', '/trpc/auth.me', '/healthz', '/missing.js', '/api/evidence/0123456789abcdef01234567'];

  it.each(paths)('%s carries a strict CSP and the usual security headers', async (path) => {
    const res = await alice.fetch(`${stack.urls.app}${path}`);
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    // Scripts only from the app's own files: no inline script, no eval, no other host.
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps API answers out of caches', async () => {
    const res = await alice.fetch(`${stack.urls.trpc}/task.list?input=${encodeURIComponent('{}')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control') ?? '').toMatch(/no-store|private/);
  });
});

describe('paths', () => {
  it.each(['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/%2e%2e/package.json', '/..%5c..%5cpackage.json'])(
    '%s does not leave the SPA folder',
    async (path) => {
      const res = await fetch(`${stack.urls.app}${path}`);
      const text = await res.text();
      expect(text).not.toContain('"name": "@zpub');
      expect([400, 404, 200]).toContain(res.status);
      if (res.status === 200) expect(res.headers.get('content-type')).toContain('text/html');
    },
  );

  it('answers a malformed escape or request line with 400 and keeps serving', async () => {
    expect((await fetch(`${stack.urls.app}/%E0%A4%A`)).status).toBe(400);
    const socket = net.connect(Number(new URL(stack.urls.app).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString())));
    socket.destroy();
    expect(first).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${stack.urls.app}/healthz`)).status).toBe(200);
  });
});
