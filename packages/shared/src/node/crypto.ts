import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Authenticated encryption (AES-256-GCM) for secrets at rest, with a key ring so keys can be
 * rotated: the first key seals, every key opens. A sealed value names its key by a short id:
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length !== 32) throw new Error('Secret keys must be 32 bytes');
    }
    this.currentKeyId = keyId(current);
    this.keys = new Map([[this.currentKeyId, current], ...previous.map((k) => [keyId(k), k] as const)]);
  }

  seal(plaintext: string): string {
    const key = this.keys.get(this.currentKeyId);
    if (!key) throw new Error('no current key');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, kid, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || !kid || !iv || !tag || ct === undefined) throw new Error('Not a sealed value');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`Sealed with an unknown key (${kid}); set it in ZPUB_SECRET_KEY_PREVIOUS`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether a value was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentKeyId;
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function parseKey(text: string, name: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error(`${name} must be 32 bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)`);
  return buf;
}

export interface SecretBoxOptions {
  key?: string | undefined;
  previous?: string | undefined;
  dataDir: string;
  production: boolean;
}

/**
 * The key comes from ZPUB_SECRET_KEY. Outside production, when none is set, a random key is
 * generated once into `<dataDir>/secret.key` (mode 0600) and shared by every app on the machine.
 */
export function loadSecretBox(opts: SecretBoxOptions): { box: SecretBox; source: 'env' | 'file' } {
  const previous = (opts.previous ?? '')
    .split(',')
    .filter((s) => s.trim().length > 0)
    .map((s, i) => parseKey(s, `ZPUB_SECRET_KEY_PREVIOUS[${i}]`));
  if (opts.key) return { box: new SecretBox(parseKey(opts.key, 'ZPUB_SECRET_KEY'), previous), source: 'env' };
  if (opts.production) {
    throw new Error('ZPUB_SECRET_KEY is required in production: it encrypts the Zhihu cookies at rest');
  }
  const file = join(opts.dataDir, 'secret.key');
  mkdirSync(opts.dataDir, { recursive: true });
  // Written aside and linked into place: link() fails if another app won the race, and nobody
  // can ever read a half-written key.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return { box: new SecretBox(parseKey(readFileSync(file, 'utf8'), file), previous), source: 'file' };
}
