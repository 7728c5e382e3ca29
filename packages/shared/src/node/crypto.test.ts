import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, loadSecretBox } from './crypto';

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('z_c0=secret-value');
    expect(sealed).not.toContain('secret-value');
    expect(box.open(sealed)).toBe('z_c0=secret-value');
    // Same plaintext, different ciphertext (random IV).
    expect(box.seal('z_c0=secret-value')).not.toBe(sealed);
  });

  it('detects tampering', () => {
    const box = new SecretBox(randomBytes(32));
    const parts = box.seal('hello').split('.');
    const ct = Buffer.from(parts[4] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('reads values sealed with a previous key during a rotation', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealed = new SecretBox(oldKey).seal('cookie');
    const rotated = new SecretBox(newKey, [oldKey]);
    expect(rotated.open(sealed)).toBe('cookie');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('cookie'))).toBe(false);
    expect(() => new SecretBox(newKey).open(sealed)).toThrow(/unknown key/);
  });

  it('generates one private development key, and refuses to run production without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zpub-key-'));
    const a = loadSecretBox({ dataDir: dir, production: false });
    const b = loadSecretBox({ dataDir: dir, production: false });
    expect(a.source).toBe('file');
    expect(b.box.open(a.box.seal('x'))).toBe('x');
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toHaveLength(44);
    expect(() => loadSecretBox({ dataDir: dir, production: true })).toThrow(/ZPUB_SECRET_KEY is required/);
    expect(() => loadSecretBox({ key: 'short', dataDir: dir, production: true })).toThrow(/32 bytes/);
  });
});
