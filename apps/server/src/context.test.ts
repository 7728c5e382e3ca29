import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientIp } from './context';

const req = (socket: string, forwarded?: string | string[]) =>
  ({ socket: { remoteAddress: socket }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('clientIp', () => {
  it('is the socket address when no proxy is trusted, whatever the headers say', () => {
    expect(clientIp(req('10.0.0.1', '1.2.3.4'), 0)).toBe('10.0.0.1');
  });

  it('behind one proxy, is the address that proxy appended (the last entry)', () => {
    expect(clientIp(req('10.0.0.1', '6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientIp(req('10.0.0.1', ['6.6.6.6', '1.2.3.4']), 1)).toBe('1.2.3.4');
  });

  it('behind two proxies, is the second entry from the right', () => {
    expect(clientIp(req('10.0.0.1', 'forged, 1.2.3.4, 10.0.0.2'), 2)).toBe('1.2.3.4');
  });

  it('falls back to what there is when the header is short or missing', () => {
    expect(clientIp(req('10.0.0.1', '1.2.3.4'), 2)).toBe('1.2.3.4');
    expect(clientIp(req('10.0.0.1'), 1)).toBe('10.0.0.1');
  });
});
