import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { challengeToken, client, makeTempDir, publishArticle, removeDir, startSandbox } from './testing.js';

// SANDBOX_DATA_FILE: published articles survive a restart, so links handed out keep working.

let dir: string;
let dataFile: string;
let running: Sandbox[] = [];

beforeEach(async () => {
  dir = await makeTempDir();
  dataFile = join(dir, 'nested', 'sandbox.json');
});
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
  await removeDir(dir);
});

async function start(): Promise<Sandbox> {
  const sandbox = await startSandbox({ dataFile });
  running.push(sandbox);
  return sandbox;
}

describe('persistence', () => {
  it('keeps published articles across a restart', async () => {
    const first = await start();
    const { id } = await publishArticle(first.url, 'alice', { title: '重启之后还在', content: '<p>持久</p>', topics: ['19550000'] });
    const before = (await client(first.url)('GET', '/__sandbox/articles')).json;
    await first.close();

    const saved = JSON.parse(await readFile(dataFile, 'utf8')) as { version: number; articles: Array<{ id: string; title: string }> };
    expect(saved.version).toBe(1);
    expect(saved.articles.map((a) => [a.id, a.title])).toEqual([[id, '重启之后还在']]);
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await start();
    const anon = client(second.url);
    expect((await anon('GET', '/__sandbox/articles')).json).toEqual(before);
    const page = await client(second.url, undefined, { zse: await challengeToken(second.url) })('GET', `/p/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1 class="Post-Title">重启之后还在</h1>');
    const listed = (await anon('GET', '/api/v4/members/alice/articles')).json as { data: Array<{ url: string }> };
    expect(listed.data.map((a) => a.url)).toEqual([`${second.url}/p/${id}`]);

    // New ids keep growing past the old ones, and the owner can edit and republish.
    const next = await publishArticle(second.url, 'alice', { title: '第二篇' });
    expect(BigInt(next.id) > BigInt(id)).toBe(true);
    const alice = client(second.url, 'alice');
    const editor = await alice('GET', `/p/${id}/edit`);
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('重启之后还在</textarea>');
    expect((await alice('PUT', `/api/articles/${id}/publish`, { title: '改过的标题', content: '<p>新</p>', topics: [] })).status).toBe(200);
    const listed2 = (await anon('GET', '/__sandbox/articles')).json as Array<{ title: string; versions: Array<{ title: string }> }>;
    expect(listed2.map((a) => a.title)).toEqual(['改过的标题', '第二篇']);
    expect(listed2[0]?.versions.map((v) => v.title)).toEqual(['重启之后还在', '改过的标题']);
  });

  it('reads a file written before articles kept their versions: the stored one is the only version', async () => {
    await writeFile(
      dataFile.replace('nested/', ''),
      JSON.stringify({
        version: 1,
        articles: [{ id: '1234567890123456789', author: 'alice', title: '旧文件', html: '<p>旧</p>', topics: [], created: 1_700_000_000_000, updated: 1_700_000_500_000 }],
      }),
    );
    dataFile = dataFile.replace('nested/', '');
    const sandbox = await start();
    const [article] = (await client(sandbox.url)('GET', '/__sandbox/articles')).json as Array<{ versions: unknown }>;
    expect(article?.versions).toEqual([{ title: '旧文件', html: '<p>旧</p>', publishedAt: new Date(1_700_000_500_000).toISOString() }]);
  });

  it('reset empties the data file', async () => {
    const sandbox = await start();
    await publishArticle(sandbox.url, 'alice');
    await client(sandbox.url)('POST', '/__sandbox/reset');
    await sandbox.close();
    const again = await start();
    expect((await client(again.url)('GET', '/__sandbox/articles')).json).toEqual([]);
  });

  it('refuses to start on a file that is not its own', async () => {
    await removeDir(dir);
    dir = await makeTempDir();
    dataFile = join(dir, 'broken.json');
    await writeFile(dataFile, '{"articles": "nope"}');
    await expect(startSandbox({ dataFile })).rejects.toThrow(/SANDBOX_DATA_FILE .*broken\.json/);
  });
});
