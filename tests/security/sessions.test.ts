/**
 * Authentication: the session cookie, sessions that end (logout, expiry, a new password) on every
 * server process at once, and sign-in attempts limited per account and per address.
 */
import { createHash } from 'node:crypto';
import type { AppHandle } from '@zpub/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { UserAt, dumpRedis, freshIp, postTrpc, sleep, startExtraServer, uniqueEmail } from './helpers';

let stack: TestStack;
/** A second server process on the same MongoDB and Redis, published as https (behind TLS). */
let second: AppHandle;
const HTTPS_ORIGIN = 'https://zpub.example';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await bootStack({
    workers: 0,
    // Each test signs in from addresses of its own (see UserAt), as if behind one proxy.
    serverEnv: { TRUST_PROXY: '1', LOGIN_MAX_PER_MINUTE: '10', REGISTER_MAX_PER_MINUTE: '5' },
  });
  second = await startExtraServer(stack, 'server-2', { PUBLIC_ORIGIN: HTTPS_ORIGIN, TRUST_PROXY: '1', REGISTER_MAX_PER_MINUTE: '1000' });
});

afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

/** The session cookie a response set, split into its attributes. */
function sessionCookieOf(res: Response): { value: string; attrs: string[] } {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('zpub_sid='));
  if (!line) throw new Error('no session cookie was set');
  const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
  return { value: pair.slice('zpub_sid='.length), attrs };
}

async function rawRegister(baseUrl: string, origin: string, ip: string, email = uniqueEmail()): Promise<Response> {
  return fetch(`${baseUrl}/trpc/auth.register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin, 'X-Forwarded-For': ip },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
}

/** A thief holding a copy of someone's cookie, calling from elsewhere. */
function thief(baseUrl: string, cookie: string): User {
  const t = new User(baseUrl, null);
  t.cookie = cookie;
  return t;
}

describe('the session cookie', () => {
  it('is a random id, httpOnly, SameSite=Lax, for the whole site; MongoDB keeps only its hash', async () => {
    const res = await rawRegister(stack.urls.app, stack.urls.app, freshIp());
    expect(res.status).toBe(200);
    const { value, attrs } = sessionCookieOf(res);
    // 32 random bytes, base64url.
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${30 * 24 * 3600}`]));
    // Served over plain http here: a Secure cookie would never come back.
    expect(attrs).not.toContain('Secure');

    const db = await stack.db();
    expect(await db.collection('sessions').countDocuments({ _id: value as never })).toBe(0);
    const hashed = createHash('sha256').update(value).digest('hex');
    expect(await db.collection('sessions').countDocuments({ _id: hashed as never })).toBe(1);
  });

  it('is Secure, and HSTS is sent, when the public origin is https', async () => {
    const res = await rawRegister(second.url, HTTPS_ORIGIN, freshIp());
    expect(res.status).toBe(200);
    expect(sessionCookieOf(res).attrs).toContain('Secure');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    const plain = await fetch(`${stack.urls.app}/healthz`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('is worthless after an expiry written in MongoDB, and the expired session is removed', async () => {
    const res = await rawRegister(stack.urls.app, stack.urls.app, freshIp());
    const { value } = sessionCookieOf(res);
    const hashed = createHash('sha256').update(value).digest('hex');
    const db = await stack.db();
    // Expires in 2 s: valid now, and cached by the server at most until then.
    await db.collection('sessions').updateOne({ _id: hashed as never }, { $set: { expiresAt: new Date(Date.now() + 2000) } });
    const holder = thief(stack.urls.app, `zpub_sid=${value}`);
    expect(await holder.api.auth.me.query()).not.toBeNull();
    await sleep(3000);
    expect(await holder.api.auth.me.query()).toBeNull();
    expect(await expectRefusal(holder.api.task.list.query({}))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(await db.collection('sessions').countDocuments({ _id: hashed as never })).toBe(0);
  });
});

describe('ending sessions', () => {
  it('logout ends the session on the server: a copied cookie stops working on every server process', async () => {
    const alice = await UserAt.registerAt(stack.urls.app, freshIp());
    const stolen = alice.cookie;
    const onFirst = thief(stack.urls.app, stolen);
    const onSecond = thief(second.url, stolen);
    // Both processes have now looked the session up (and cached it).
    expect((await onFirst.api.auth.me.query())?.email).toBeTruthy();
    expect((await onSecond.api.auth.me.query())?.email).toBeTruthy();
    expect((await onSecond.api.task.list.query({})).items).toEqual([]);

    const out = await alice.fetch(`${stack.urls.trpc}/auth.logout`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('zpub_sid='))).toMatch(/^zpub_sid=;.*Max-Age=0/);

    expect(await onFirst.api.auth.me.query()).toBeNull();
    // The other process hears of the revocation through Redis; its cache would keep the
    // session for 30 s otherwise. Allow the message a moment to arrive, far less than that.
    const deadline = Date.now() + 5000;
    while ((await onSecond.api.auth.me.query()) !== null && Date.now() < deadline) await sleep(100);
    expect(await onSecond.api.auth.me.query()).toBeNull();
    expect(await expectRefusal(onSecond.api.task.list.query({}))).toMatchObject({ code: 'UNAUTHORIZED' });
    const db = await stack.db();
    expect(await db.collection('sessions').countDocuments({ _id: createHash('sha256').update(stolen.split('=')[1] ?? '').digest('hex') as never })).toBe(0);
  });

  it('changing the password ends every other session, keeps this one, and retires the old password', async () => {
    const ip = freshIp();
    const email = uniqueEmail();
    const laptop = await UserAt.registerAt(stack.urls.app, ip, email);
    const phone = new UserAt(stack.urls.app, ip);
    await phone.api.auth.login.mutate({ email, password: PASSWORD });
    const tablet = new UserAt(second.url, ip, HTTPS_ORIGIN);
    await tablet.api.auth.login.mutate({ email, password: PASSWORD });
    expect(await tablet.api.auth.me.query()).not.toBeNull();

    const wrong = await expectRefusal(laptop.api.auth.changePassword.mutate({ currentPassword: 'not my password', newPassword: 'a brand new secret' }));
    expect(wrong).toMatchObject({ code: 'BAD_REQUEST', appCode: 'WRONG_PASSWORD' });
    expect(await phone.api.auth.me.query()).not.toBeNull();

    const changed = await laptop.api.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'a brand new secret' });
    expect(changed.endedSessions).toBe(2);
    expect((await laptop.api.auth.me.query())?.email).toBe(email);
    expect(await phone.api.auth.me.query()).toBeNull();
    const deadline = Date.now() + 5000;
    while ((await tablet.api.auth.me.query()) !== null && Date.now() < deadline) await sleep(100);
    expect(await tablet.api.auth.me.query()).toBeNull();

    const again = new UserAt(stack.urls.app, ip);
    expect(await expectRefusal(again.api.auth.login.mutate({ email, password: PASSWORD }))).toMatchObject({ code: 'UNAUTHORIZED' });
    await again.api.auth.login.mutate({ email, password: 'a brand new secret' });
    expect((await again.api.auth.me.query())?.email).toBe(email);
  });
});

describe('sign-in limits', () => {
  it('refuses the 11th wrong password in a minute for one account, from any address, with RATE_LIMITED', async () => {
    const email = uniqueEmail();
    await UserAt.registerAt(stack.urls.app, freshIp(), email);
    const attempt = (password: string) => {
      // An attacker spreading attempts over many addresses gains nothing.
      const u = new UserAt(stack.urls.app, freshIp());
      return expectRefusal(u.api.auth.login.mutate({ email, password }));
    };
    for (let i = 1; i <= 10; i++) {
      expect(await attempt(`wrong password ${i}`)).toMatchObject({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
    }
    const eleventh = await attempt('wrong password 11');
    expect(eleventh).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, appCode: 'RATE_LIMITED' });
    expect(eleventh.message).toMatch(/Too many sign-in attempts for this email; try again in \d+ s/);
    // Refused before the password is looked at: the right one is refused too, for now.
    expect(await attempt(PASSWORD)).toMatchObject({ appCode: 'RATE_LIMITED' });
    // The email is upper-cased by the attacker: the same account, the same limit.
    const shouting = new UserAt(stack.urls.app, freshIp());
    expect(await expectRefusal(shouting.api.auth.login.mutate({ email: email.toUpperCase(), password: PASSWORD }))).toMatchObject({ appCode: 'RATE_LIMITED' });

    // Another account is not affected.
    const otherEmail = uniqueEmail();
    await UserAt.registerAt(stack.urls.app, freshIp(), otherEmail);
    const other = new UserAt(stack.urls.app, freshIp());
    await other.api.auth.login.mutate({ email: otherEmail, password: PASSWORD });
  });

  it('limits attempts per address across accounts, and a forged X-Forwarded-For entry does not escape it', async () => {
    const proxySaw = freshIp();
    // The client writes whatever it likes on the left; the proxy appends the address it saw.
    const attempt = (n: number) => {
      const u = new UserAt(stack.urls.app, `10.${n % 250}.0.1, ${proxySaw}`);
      return expectRefusal(u.api.auth.login.mutate({ email: uniqueEmail('nobody'), password: 'guess guess guess' }));
    };
    // 5 x LOGIN_MAX_PER_MINUTE per address.
    for (let i = 1; i <= 50; i++) expect(await attempt(i)).toMatchObject({ code: 'UNAUTHORIZED' });
    const refused = await attempt(51);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    expect(refused.message).toContain('Too many sign-in attempts from this address');
    // Another address still signs in.
    const email = uniqueEmail();
    await UserAt.registerAt(stack.urls.app, freshIp(), email);
    await new UserAt(stack.urls.app, freshIp()).api.auth.login.mutate({ email, password: PASSWORD });
  });

  it('limits new accounts per address', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await UserAt.registerAt(stack.urls.app, ip);
    const sixth = await expectRefusal(UserAt.registerAt(stack.urls.app, ip));
    expect(sixth).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    expect(sixth.message).toContain('Too many new accounts from this address');
    await UserAt.registerAt(stack.urls.app, freshIp());
  });

  it('does not count malformed attempts, and never writes an email into Redis', async () => {
    const email = uniqueEmail();
    await UserAt.registerAt(stack.urls.app, freshIp(), email);
    const u = new UserAt(stack.urls.app, freshIp());
    for (let i = 0; i < 15; i++) {
      const bad = await postTrpc(u, 'auth.login', { email, password: 'x'.repeat(300) });
      expect(bad.status).toBe(400);
    }
    // Fifteen refusals for bad input, and still room to sign in.
    await u.api.auth.login.mutate({ email, password: PASSWORD });
    const all = await dumpRedis(stack.urls.redis);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((k) => k.key.includes('@') || k.text.includes(email))).toEqual([]);
  });
});
