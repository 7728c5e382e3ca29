import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

describe('worker environment', () => {
  it('runs Chromium headless unless BROWSER_HEADLESS says otherwise', () => {
    expect(loadEnv({}).BROWSER_HEADLESS).toBe(true);
    expect(loadEnv({ BROWSER_HEADLESS: 'false' }).BROWSER_HEADLESS).toBe(false);
    expect(loadEnv({ BROWSER_HEADLESS: '0' }).BROWSER_HEADLESS).toBe(false);
    expect(loadEnv({ BROWSER_HEADLESS: 'yes' }).BROWSER_HEADLESS).toBe(true);
  });

  it('names BROWSER_HEADLESS when its value is not a yes or a no', () => {
    expect(() => loadEnv({ BROWSER_HEADLESS: 'headful' })).toThrow(/BROWSER_HEADLESS: .*"1".*"false"/);
  });
});
