import { describe, expect, it } from 'vitest';
import { dirOf, isRelativeRef, relativeImageRefs, resolvePath, rewriteRefs } from './batch-images';

const paths = (md: string) => relativeImageRefs(md).map((r) => r.path);

describe('relativeImageRefs', () => {
  it('finds inline images by a relative path, with or without ./, a title or angle brackets', () => {
    const md = '![a](img/a.png)\n\ntext ![b](./b.png "标题") and ![c](<my pics/c 1.png>)\n![d](../shared/d.gif)';
    expect(paths(md)).toEqual(['img/a.png', './b.png', 'my pics/c 1.png', '../shared/d.gif']);
  });

  it('leaves web addresses, site paths, uploaded images and anchors alone', () => {
    const md = '![](https://e.com/a.png) ![](http://e.com/b.png) ![](/assets/' + 'a'.repeat(64) + ') ![](/abs.png) ![](data:image/png;base64,AAA) ![](#x)';
    expect(paths(md)).toEqual([]);
  });

  it('ignores images inside fenced and inline code, and links that are not images', () => {
    const md = '```md\n![](img/in-fence.png)\n```\n`![](img/in-code.png)` [link](doc/other.md) ![](img/real.png)';
    expect(paths(md)).toEqual(['img/real.png']);
  });

  it('decodes %-escapes and drops a query or fragment', () => {
    expect(paths('![](img/my%20pic.png?raw=1#top)')).toEqual(['img/my pic.png']);
  });

  it('finds reference definitions that images use, and only those', () => {
    const md = '![图][fig1] ![fig2]\n\n[fig1]: img/one.png\n[FIG2]: <img/two.png>\n[doc]: notes/readme.md';
    expect(paths(md)).toEqual(['img/one.png', 'img/two.png']);
  });

  it('gives positions that cover exactly the destination', () => {
    const md = 'x\n![a](img/a.png "t") ![b](<b c.png>)';
    const refs = relativeImageRefs(md);
    expect(refs.map((r) => md.slice(r.start, r.end))).toEqual(['img/a.png', '<b c.png>']);
  });
});

describe('resolvePath and dirOf', () => {
  it('resolves against the file’s folder', () => {
    expect(resolvePath('notes/posts', 'img/a.png')).toBe('notes/posts/img/a.png');
    expect(resolvePath('notes/posts', './a.png')).toBe('notes/posts/a.png');
    expect(resolvePath('notes/posts', '../shared/b.png')).toBe('notes/shared/b.png');
    expect(resolvePath('', 'a.png')).toBe('a.png');
  });

  it('refuses a path that climbs out of what was dropped', () => {
    expect(resolvePath('notes', '../../etc/x.png')).toBeNull();
  });

  it('takes the folder of a path', () => {
    expect(dirOf('notes/posts/a.md')).toBe('notes/posts');
    expect(dirOf('a.md')).toBe('');
  });

  it('knows a relative reference', () => {
    expect(isRelativeRef('img/a.png')).toBe(true);
    expect(isRelativeRef('./a.png')).toBe(true);
    for (const not of ['https://x/a.png', '/assets/x', '//cdn/x.png', 'C:\\a.png', '#a', 'mailto:a@b', '']) expect(isRelativeRef(not), not).toBe(false);
  });
});

describe('rewriteRefs', () => {
  it('puts the uploaded address where each path was, keeping alt text and titles', () => {
    const md = '![a](img/a.png "t")\n![b](<b c.png>) ![a again](img/a.png)\n\n![][r]\n[r]: ./r.png';
    const urls: Record<string, string> = { 'img/a.png': '/assets/aaa', 'b c.png': '/assets/bbb', './r.png': '/assets/rrr' };
    const out = rewriteRefs(md, relativeImageRefs(md), (r) => urls[r.path] ?? 'missing');
    expect(out).toBe('![a](/assets/aaa "t")\n![b](/assets/bbb) ![a again](/assets/aaa)\n\n![][r]\n[r]: /assets/rrr');
  });
});
