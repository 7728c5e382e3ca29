import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.js';

describe('parseEnv', () => {
  it('has defaults for everything', () => {
    expect(parseEnv({})).toEqual({
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_PORT: 3100,
      SANDBOX_DELAY_MS: 300,
      SANDBOX_DATA_FILE: undefined,
      LOG_LEVEL: 'info',
    });
    expect(parseEnv({ SANDBOX_PORT: '', SANDBOX_DATA_FILE: '' }).SANDBOX_PORT).toBe(3100);
  });

  it('reads overrides', () => {
    expect(
      parseEnv({ SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: '0', SANDBOX_DELAY_MS: '25', SANDBOX_DATA_FILE: '/tmp/a.json', LOG_LEVEL: 'debug' }),
    ).toEqual({ SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: 0, SANDBOX_DELAY_MS: 25, SANDBOX_DATA_FILE: '/tmp/a.json', LOG_LEVEL: 'debug' });
  });

  it('fails naming the bad variable', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ SANDBOX_PORT: 'abc' }, 'SANDBOX_PORT'],
      [{ SANDBOX_PORT: '70000' }, 'SANDBOX_PORT'],
      [{ SANDBOX_DELAY_MS: '-1' }, 'SANDBOX_DELAY_MS'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ];
    for (const [env, name] of cases) {
      expect(() => parseEnv(env)).toThrow(EnvError);
      expect(() => parseEnv(env)).toThrow(new RegExp(`${name}=`));
    }
  });
});
