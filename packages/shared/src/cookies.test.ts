import { describe, expect, it } from 'vitest';
import { CookieParseError, cookieHeader, parseCookies, parseLoginCookies } from './cookies';

describe('parseCookies', () => {
  it('reads a Cookie header as copied from the network panel', () => {
    const cookies = parseCookies('Cookie: _xsrf=abc; z_c0="2|1:0|10:1700000000|4:z_c0|80:MS4x=="; d_c0=AB-c');
    expect(cookies.map((c) => [c.name, c.value])).toEqual([
      ['_xsrf', 'abc'],
      ['z_c0', '2|1:0|10:1700000000|4:z_c0|80:MS4x=='],
      ['d_c0', 'AB-c'],
    ]);
    expect(cookieHeader(cookies)).toBe('_xsrf=abc; z_c0=2|1:0|10:1700000000|4:z_c0|80:MS4x==; d_c0=AB-c');
  });

  it('reads a browser cookie export and a storage state', () => {
    const exported = JSON.stringify([
      { name: 'z_c0', value: 'v1', domain: '.zhihu.com', path: '/', expirationDate: 1900000000.5, httpOnly: true, secure: true },
    ]);
    expect(parseCookies(exported)).toEqual([
      { name: 'z_c0', value: 'v1', domain: '.zhihu.com', path: '/', expires: 1900000000, httpOnly: true, secure: true },
    ]);
    const state = JSON.stringify({ cookies: [{ name: 'z_c0', value: 'v2', domain: '.zhihu.com', expires: -1 }], origins: [] });
    expect(parseCookies(state)).toEqual([{ name: 'z_c0', value: 'v2', domain: '.zhihu.com' }]);
  });

  it('names what is wrong and never echoes a value', () => {
    expect(() => parseCookies('')).toThrow('The cookies are empty');
    expect(() => parseCookies('justsomesecrettoken')).toThrow(/Cookie 1 is not name=value/);
    expect(() => parseCookies('justsomesecrettoken')).not.toThrow(/justsome/);
    expect(() => parseCookies('[{"name":"a"}]')).toThrow('has no string "value"');
    expect(() => parseCookies('{not json')).toThrow(/not valid JSON/);
    expect(() => parseCookies('a b=c')).toThrow(/invalid name/);
    expect(() => parseCookies('a=b c')).toThrow(/spaces/);
  });

  it('insists on the login cookie', () => {
    expect(() => parseLoginCookies('_xsrf=abc')).toThrow(CookieParseError);
    expect(() => parseLoginCookies('_xsrf=abc')).toThrow(/no z_c0/);
    expect(() => parseLoginCookies('z_c0=')).toThrow(/empty/);
    expect(parseLoginCookies('z_c0=sandbox-alice')).toEqual([{ name: 'z_c0', value: 'sandbox-alice' }]);
  });
});
