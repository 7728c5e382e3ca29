import { describe, expect, it } from 'vitest';
import { localAssetPaths } from './zhihu-options';

const sha = 'ab'.repeat(32);
const origin = 'http://127.0.0.1:3000';

describe('localAssetPaths', () => {
  it('writes this zpub’s absolute image addresses as /assets/ paths, in Markdown and in HTML', () => {
    expect(localAssetPaths(`![a](${origin}/assets/${sha}) <img src="${origin}/assets/${sha}">`, origin)).toBe(`![a](/assets/${sha}) <img src="/assets/${sha}">`);
  });

  it('leaves other sites, other paths and longer ids alone', () => {
    const text = `![](https://pic.example.com/assets/${sha}) ![](${origin}/assets/${sha}f) ![](${origin}/static/${sha}) ![](${origin}.evil.com/assets/${sha})`;
    expect(localAssetPaths(text, origin)).toBe(text);
  });

  it('takes an origin’s dots and ports literally', () => {
    expect(localAssetPaths(`![](http://127x0x0x1:3000/assets/${sha})`, origin)).toContain('http://127x0x0x1');
  });
});
