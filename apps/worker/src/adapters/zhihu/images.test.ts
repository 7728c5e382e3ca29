import { markdownToZhihuHtml } from '@zpub/shared/markdown';
import { describe, expect, it } from 'vitest';
import { imageKind, imageSources, replaceImageSources } from './images';
import type { Origins } from './session';

const zhihu: Origins = { www: 'https://www.zhihu.com', zhuanlan: 'https://zhuanlan.zhihu.com', api: 'https://api.zhihu.com', imageUpload: 'https://zhihu-pics-upload.zhimg.com' };
const sandbox: Origins = { www: 'http://127.0.0.1:3100', zhuanlan: 'http://127.0.0.1:3100', api: 'http://127.0.0.1:3100', imageUpload: 'http://127.0.0.1:3100' };
const SHA = 'a'.repeat(64);

describe('image sources', () => {
  const html = markdownToZhihuHtml(
    [`![远程](https://example.com/a.png?x=1&y=2)`, `![本地](/assets/${SHA})`, '$E=mc^2$', '![再来一次](https://example.com/a.png?x=1&y=2)'].join('\n\n'),
  );

  it('lists every <img src> once, decoded, formulas included', () => {
    expect(imageSources(html)).toEqual(['https://example.com/a.png?x=1&y=2', `/assets/${SHA}`, 'https://www.zhihu.com/equation?tex=E%3Dmc%5E2']);
  });

  it('replaces only the sources it is given, in every place they occur, escaped', () => {
    const hosted = new Map([
      ['https://example.com/a.png?x=1&y=2', 'https://pic4.zhimg.com/v2-1.png?a=1&b=2'],
      [`/assets/${SHA}`, 'https://pic4.zhimg.com/v2-2.png'],
    ]);
    const out = replaceImageSources(html, hosted);
    expect(out.match(/src="https:\/\/pic4\.zhimg\.com\/v2-1\.png\?a=1&amp;b=2"/g)).toHaveLength(2);
    expect(out).toContain('src="https://pic4.zhimg.com/v2-2.png"');
    expect(out).not.toContain('example.com');
    expect(out).not.toContain('/assets/');
    expect(out).toContain('equation?tex=');
    expect(imageSources(out)).toEqual(['https://pic4.zhimg.com/v2-1.png?a=1&b=2', 'https://pic4.zhimg.com/v2-2.png', 'https://www.zhihu.com/equation?tex=E%3Dmc%5E2']);
  });

  it('re-hosts what is not on Zhihu yet and refuses what cannot be an image', () => {
    expect(imageKind('https://picx.zhimg.com/v2-abc_r.jpg', zhihu)).toBe('hosted');
    expect(imageKind('https://www.zhihu.com/equation?tex=x', zhihu)).toBe('hosted');
    expect(imageKind('https://example.com/a.png', zhihu)).toBe('remote');
    expect(imageKind(`/assets/${SHA}`, zhihu)).toBe('asset');
    expect(imageKind('/img/a.png', zhihu)).toBe('invalid');
    expect(imageKind('ftp://example.com/a.png', zhihu)).toBe('invalid');
    // The sandbox's hosted copies are /v2-<md5> on its own origin; anything else there is remote.
    expect(imageKind(`http://127.0.0.1:3100/v2-${'0'.repeat(32)}.png`, sandbox)).toBe('hosted');
    expect(imageKind('http://127.0.0.1:3100/avatar/a.svg', sandbox)).toBe('remote');
    expect(imageKind(`http://127.0.0.1:3100/v2-${'0'.repeat(32)}.png`, zhihu)).toBe('remote');
  });
});
