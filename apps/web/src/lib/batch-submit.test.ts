import { describe, expect, it } from 'vitest';
import { checkDraft, parseDocument } from './batch';
import { FileIndex, itemImages, uploadFiles, withUploads } from './batch-submit';

const png = (name: string, size = 10) => new File([new Uint8Array(size)], name, { type: 'image/png' });

describe('the images of a batch article', () => {
  const a = png('a.png');
  const b = png('b.png');
  const c = png('cover.png');
  const files = new FileIndex([
    { path: 'notes/img/a.png', file: a },
    { path: 'notes/B.png', file: b },
    { path: 'notes/img/cover.png', file: c },
  ]);

  it('finds each file the body and cover name, relative to the article’s folder', () => {
    const draft = parseDocument('---\ncover: img/cover.png\n---\n# T\n![](img/a.png)\n![](./b.png)\n![](https://e.com/x.png)', 'notes/post.md');
    const found = itemImages(draft, 'notes', files);
    expect(found.ok && found.needs.map((n) => [n.path, n.file.name, n.at === 'cover'])).toEqual([
      ['notes/img/a.png', 'a.png', false],
      ['notes/b.png', 'b.png', false],
      ['notes/img/cover.png', 'cover.png', true],
    ]);
  });

  it('names the missing file, one outside the folder, or one that is no image', () => {
    expect(itemImages(parseDocument('# T\n![](img/gone.png)', 'notes/p.md'), 'notes', files)).toEqual({ ok: false, message: '找不到图片 img/gone.png：请把它所在的文件夹一起拖入' });
    expect(itemImages(parseDocument('# T\n![](../../x.png)', 'notes/p.md'), 'notes', files)).toMatchObject({ ok: false, message: expect.stringContaining('../../x.png') });
    const text = new FileIndex([{ path: 'x.png', file: new File(['hi'], 'x.png', { type: 'text/plain' }) }]);
    expect(itemImages(parseDocument('# T\n![](x.png)', 'p.md'), '', text)).toMatchObject({ ok: false, message: expect.stringContaining('x.png 不是支持的图片') });
  });

  it('sends the article with the uploaded addresses in place of the paths', () => {
    const draft = parseDocument('---\ncover: img/cover.png\nstatement: 虚构创作\n---\n# T\n前 ![图 A](img/a.png "说明") 后\n![](./b.png)', 'notes/post.md');
    const check = checkDraft(draft, { priority: 'normal' });
    const found = itemImages(draft, 'notes', files);
    if (!check.ok || !found.ok) throw new Error('expected a valid draft');
    const urls = new Map([
      [a, '/assets/aaa'],
      [b, '/assets/bbb'],
      [c, '/assets/ccc'],
    ]);
    const sent = withUploads(check.article, found.needs, (f) => urls.get(f) ?? '');
    expect(sent).toEqual({ title: 'T', content: '前 ![图 A](/assets/aaa "说明") 后\n![](/assets/bbb)', topics: [], priority: 'normal', statement: 'fictional_creation', cover: '/assets/ccc' });
  });
});

describe('uploadFiles', () => {
  it('uploads each file once, skips what is done, and reports failures', async () => {
    const [x, y, z] = [png('x.png'), png('y.png'), png('z.png')];
    const done = new Map([[x, '/assets/x']]);
    const sent: string[] = [];
    const progress: string[] = [];
    const failed = await uploadFiles(
      [x, y, y, z],
      done,
      async (f) => {
        sent.push(f.name);
        if (f === z) throw new Error('z failed');
        return `/assets/${f.name}`;
      },
      (n, total) => progress.push(`${n}/${total}`),
    );
    expect(sent).toEqual(['y.png', 'z.png']);
    expect(done.get(y)).toBe('/assets/y.png');
    expect([...failed.values()]).toEqual(['z failed']);
    expect(progress).toEqual(['0/2', '1/2', '2/2']);
  });
});
