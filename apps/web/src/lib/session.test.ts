import { describe, expect, it } from 'vitest';
import { zhCN } from '../i18n/zh-CN';
import { session, signedIn, signedOut, signOut } from './session';

const unauthorized = { data: { code: 'UNAUTHORIZED' } };

describe('signing out', () => {
  it('keeps the page signed in while the server has not answered, though the live stream already heard the session end', async () => {
    signedIn({ id: 'u1', email: 'a@example.com' });
    let answer: () => void = () => undefined;
    const ending = signOut(() => new Promise<void>((resolve) => (answer = resolve)));
    // What the live stream does when the server revokes the session before its answer arrives.
    signedOut(true);
    expect(session().state).toBe('user');
    answer();
    expect(await ending).toBeNull();
    // Afterwards an ended session does show the sign-in page again.
    signedOut(true);
    expect(session()).toEqual({ state: 'anon', expired: true });
  });

  it('takes an UNAUTHORIZED answer as already ended, and tries a failed call again before giving up', async () => {
    expect(await signOut(() => Promise.reject(unauthorized))).toBeNull();
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve());
    expect(await signOut(flaky, 3, 1)).toBeNull();
    expect(calls).toBe(3);
    calls = 0;
    const down = () => (++calls, Promise.reject(new TypeError('Failed to fetch')));
    expect(await signOut(down, 3, 1)).toBe(zhCN.api.network);
    expect(calls).toBe(3);
  });
});
