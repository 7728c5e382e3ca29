import { describe, expect, it } from 'vitest';
import { assetIdsIn, sniffImageType } from './assets';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffImageType', () => {
  it('knows PNG, JPEG, GIF and WebP by their signatures', () => {
    expect(sniffImageType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13]))).toBe('image/png');
    expect(sniffImageType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(bytes('GIF89a', [1, 0]))).toBe('image/gif');
    expect(sniffImageType(bytes('GIF87a'))).toBe('image/gif');
    expect(sniffImageType(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
  });

  it('refuses everything else, whatever it resembles', () => {
    expect(sniffImageType(bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toBeNull();
    expect(sniffImageType(bytes('<html><img src=x onerror=alert(1)>'))).toBeNull();
    // A WAV file is RIFF too.
    expect(sniffImageType(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '))).toBeNull();
    // Truncated signatures.
    expect(sniffImageType(bytes([0x89], 'PN'))).toBeNull();
    expect(sniffImageType(bytes([0xff, 0xd8]))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
  });
});

describe('assetIdsIn', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(63) + 'c';
  it('finds each uploaded image a text names, once, in order', () => {
    const text = `![one](/assets/${a})\n![two](/assets/${b} "title")\n[again](/assets/${a})`;
    expect(assetIdsIn(text)).toEqual([a, b]);
  });

  it('ignores ids that are too short, too long or not hex', () => {
    expect(assetIdsIn(`/assets/${a.slice(1)} /assets/${a}0 /assets/${'g'.repeat(64)} /assets/index-abc.js`)).toEqual([]);
  });

  it('finds them in absolute addresses and HTML too', () => {
    expect(assetIdsIn(`<img src="http://127.0.0.1:3000/assets/${a}">`)).toEqual([a]);
  });
});
