import { describe, expect, it } from 'vitest';
import { readCookie, sessionCookie } from './sessions';

describe('the session cookie', () => {
  it('is httpOnly, SameSite=Lax, for the whole site, and Secure only when asked', () => {
    expect(sessionCookie('a'.repeat(43), 60, false)).toBe(`zpub_sid=${'a'.repeat(43)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60`);
    expect(sessionCookie('a'.repeat(43), 60, true)).toContain('; Secure');
    expect(sessionCookie(null, 60, true)).toBe('zpub_sid=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0');
  });

  it('is read only when it looks like one of ours', () => {
    const sid = 'Abc_-'.repeat(9);
    expect(readCookie(`x=1; zpub_sid=${sid}; y=2`, 'zpub_sid')).toBe(sid);
    expect(readCookie('zpub_sid=short', 'zpub_sid')).toBeNull();
    expect(readCookie(`zpub_sid=${sid.slice(0, 30)}"; x`, 'zpub_sid')).toBeNull();
    expect(readCookie(undefined, 'zpub_sid')).toBeNull();
  });
});
