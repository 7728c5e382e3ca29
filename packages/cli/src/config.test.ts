import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeServer, readConfig, writeConfig } from './config';
import { loadEnv } from './env';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zpub-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the config file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(loadEnv({ XDG_CONFIG_HOME: '/x/y', HOME: '/home/h' }).configFile).toBe('/x/y/zpub/config.json');
    expect(loadEnv({ HOME: '/home/h' }).configFile).toBe('/home/h/.config/zpub/config.json');
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(loadEnv({ XDG_CONFIG_HOME: 'rel', HOME: '/home/h' }).configFile).toBe('/home/h/.config/zpub/config.json');
  });

  it('is written 0600 in a 0700 folder, and tightened again if someone loosened it', async () => {
    const file = join(dir, 'zpub', 'config.json');
    await writeConfig(file, { server: 'http://127.0.0.1:3000', token: 'zpub_x' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'zpub'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ server: 'http://127.0.0.1:3000', token: 'zpub_x' });
    await chmod(file, 0o644);
    expect(await readConfig(file)).toEqual({ server: 'http://127.0.0.1:3000', token: 'zpub_x' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('says how to repair a damaged file, and reads a missing one as "not logged in"', async () => {
    expect(await readConfig(join(dir, 'none.json'))).toBeNull();
    await writeFile(join(dir, 'bad.json'), '{"server":');
    await expect(readConfig(join(dir, 'bad.json'))).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('zpub login') });
  });

  it('reads relative paths from where `pnpm zpub` was typed, and only then', () => {
    expect(loadEnv({ npm_lifecycle_event: 'zpub', INIT_CWD: '/home/h/notes' }).cwd).toBe('/home/h/notes');
    expect(loadEnv({ npm_lifecycle_event: 'test', INIT_CWD: '/elsewhere' }).cwd).toBe(process.cwd());
  });

  it('normalizes the server address', () => {
    expect(normalizeServer('https://zpub.example.com/')).toBe('https://zpub.example.com');
    expect(normalizeServer('127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(() => normalizeServer('ftp://x')).toThrow(/http\(s\)/);
  });
});
