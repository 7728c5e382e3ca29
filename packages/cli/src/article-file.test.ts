import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readArticle, writeState, type PreparedArticle } from './article-file';
import { useLang } from './i18n';

let dir: string;
// These check the English sentences; i18n.test.ts checks the Chinese ones.
beforeAll(() => useLang('en'));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zpub-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function read(name: string, text: string): Promise<ReturnType<typeof readArticle>> {
  const path = join(dir, name);
  await writeFile(path, text);
  return readArticle(path, name);
}

function ok(r: Awaited<ReturnType<typeof readArticle>>): PreparedArticle {
  if ('problem' in r) throw new Error(r.problem);
  return r;
}

describe('reading an article file', () => {
  it('takes the title from the first heading, settings from the front matter, and keeps a big article id exact', async () => {
    const a = ok(
      await read(
        'a.md',
        '---\ntopics: [编程, 写作]\n创作声明: 包含AI辅助创作\nzhihu-id: 1234567890123456789\nzpub-hash: abc\nzpub-task: 0123456789abcdef01234567\nlayout: post\n---\n\n# 标题一\n\n正文\n',
      ),
    );
    expect(a.article).toMatchObject({ title: '标题一', content: '正文', topics: ['编程', '写作'], statement: 'ai_creation', articleId: '1234567890123456789' });
    expect(a.state).toEqual({ articleId: '1234567890123456789', hash: 'abc', task: '0123456789abcdef01234567' });
    expect(a.hash).toMatch(/^[a-f0-9]{20}$/);
  });

  it('saves as a draft with --draft, unless the file says draft: false; a draft hashes apart from a publish', async () => {
    const path = join(dir, 'd.md');
    await writeFile(path, '# 草稿\n正文');
    const drafted = ok(await readArticle(path, 'd.md', { draft: true }));
    expect(drafted.article.mode).toBe('draft');
    const published = ok(await readArticle(path, 'd.md'));
    expect(published.article.mode).toBeUndefined();
    expect(drafted.hash).not.toBe(published.hash);
    await writeFile(path, '---\ndraft: false\n---\n# 草稿\n正文');
    expect(ok(await readArticle(path, 'd.md', { draft: true })).article.mode).toBe('publish');
  });

  it('prefers the front matter title and drops a heading that repeats it', async () => {
    expect(ok(await read('b.md', '---\ntitle: 甲\n---\n# 甲\n正文')).article).toMatchObject({ title: '甲', content: '正文' });
    expect(ok(await read('c.md', '---\ntitle: 甲\n---\n# 乙\n正文')).article).toMatchObject({ title: '甲', content: '# 乙\n正文' });
  });

  it('names what is wrong with a bad file, and gives the code the server would', async () => {
    expect(await read('d.md', '---\ntitle: "unclosed\n---\n正文')).toMatchObject({ problem: expect.stringMatching(/^front matter is not valid YAML/) });
    expect(await read('e.md', '---\n- a\n- b\n---\n# t\n正文')).toMatchObject({ problem: 'front matter must be "key: value" lines' });
    expect(await read('f.md', '---\ntitle: x\n# t\n正文')).toMatchObject({ problem: expect.stringContaining('never closed') });
    expect(await read('g.md', '正文，没有标题')).toMatchObject({ code: 'TITLE_REQUIRED' });
    expect(await read('h.md', '---\nschedule: next week\n---\n# t\n正文')).toMatchObject({ code: 'INVALID_SCHEDULE', problem: expect.stringMatching(/^scheduledAt: /) });
    expect(await read('i.md', '---\ntopics: [a, b, c, d]\n---\n# t\n正文')).toMatchObject({ code: 'TOO_MANY_TOPICS' });
    expect(await read('j.md', '---\ncolumn: {id: c_1}\n---\n# t\n正文')).toMatchObject({ problem: 'front matter: column: expected text or a list of text' });
    expect(await read('k.md', '---\nzhihu-id: 42\n---\n# t\n正文')).toMatchObject({ code: 'INVALID_ARTICLE_ID' });
    expect(await read('l.md', '---\ntitle: a\ntitle: b\n---\n正文')).toMatchObject({ problem: expect.stringMatching(/not valid YAML/) });
  });

  it('uploads local images by content: the body names /assets/<sha256>, and a missing one is named with its path', async () => {
    await writeFile(join(dir, 'pic.png'), PNG);
    const a = ok(await read('m.md', '# t\n\n![图](pic.png) and ![remote](https://example.com/x.png)\n\n```\n![code](nope.png)\n```\n'));
    expect(a.images.map((i) => i.mime)).toEqual(['image/png']);
    expect(a.article.content).toBe(`![图](/assets/${a.images[0]?.sha256}) and ![remote](https://example.com/x.png)\n\n\`\`\`\n![code](nope.png)\n\`\`\``);
    const missing = await read('n.md', '# t\n\n![a](img/gone.png)\n![b][ref]\n\n[ref]: ./also%20gone.jpg');
    expect(missing).toMatchObject({ problem: `image img/gone.png not found (looked for ${join(dir, 'img/gone.png')}); image ./also gone.jpg not found (looked for ${join(dir, 'also gone.jpg')})` });
    await writeFile(join(dir, 'fake.png'), 'not an image');
    expect(await read('o.md', '---\ncover: fake.png\n---\n# t\n正文')).toMatchObject({ problem: expect.stringMatching(/^cover: image fake.png is not a PNG, JPEG, GIF or WebP image/) });
  });

  it('hashes what is sent: the same article hashes the same, an edited one or a changed image does not', async () => {
    await writeFile(join(dir, 'pic.png'), PNG);
    const first = ok(await read('p.md', '---\npriority: high\n---\n# t\n![](pic.png)'));
    const again = ok(await read('p.md', '---\npriority: low\nzhihu-id: "123456789012345"\n---\n# t\n![](pic.png)'));
    expect(again.hash).toBe(first.hash);
    const edited = ok(await read('p.md', '# t\n![](pic.png)\n多一句'));
    expect(edited.hash).not.toBe(first.hash);
    await writeFile(join(dir, 'pic.png'), Buffer.concat([PNG, Buffer.from([0])]));
    expect(ok(await read('p.md', '---\npriority: high\n---\n# t\n![](pic.png)')).hash).not.toBe(first.hash);
  });
});

describe('writing the state back', () => {
  it('sets and removes keys, keeping comments, the other keys, CRLF line endings and the body byte for byte', async () => {
    const path = join(dir, 'w.md');
    const body = '# 标题\r\n\r\n正文  \r\n\r\n';
    await writeFile(path, `---\r\n# my notes\r\ntags: [a, b]\r\nzpub-task: 0123456789abcdef01234567\r\n---\r\n${body}`, { mode: 0o640 });
    await writeState(path, { 'zhihu-id': '1234567890123456789', 'zhihu-link': 'https://zhuanlan.zhihu.com/p/1234567890123456789' }, ['zpub-task']);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`---\r\n# my notes\r\ntags: [a, b]\r\nzhihu-id: "1234567890123456789"\r\nzhihu-link: https://zhuanlan.zhihu.com/p/1234567890123456789\r\n---\r\n${body}`);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    const back = ok(await readArticle(path, 'w.md'));
    expect(back.state.articleId).toBe('1234567890123456789');
  });

  it('adds a front matter to a file that had none', async () => {
    const path = join(dir, 'x.md');
    await writeFile(path, '# 标题\n正文\n');
    await writeState(path, { 'zpub-task': '0123456789abcdef01234567' });
    expect(await readFile(path, 'utf8')).toBe('---\nzpub-task: 0123456789abcdef01234567\n---\n# 标题\n正文\n');
  });
});
