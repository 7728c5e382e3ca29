import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../errors';
import { collectFiles } from './publish';
import { useLang } from '../i18n';

let dir: string;
// These check the English sentences; i18n.test.ts checks the Chinese ones.
beforeAll(() => useLang('en'));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zpub-files-'));
  // A column kept as a Git repository, written in Obsidian, organised by year.
  const files = [
    'intro.md',
    'notes.txt',
    '.hidden.md',
    '2025/spring.md',
    '2025/b-side/deep.markdown',
    '2026/autumn.MD',
    '.obsidian/templates/template.md',
    '.git/info.md',
    'node_modules/pkg/README.md',
    'empty/readme.txt',
  ];
  for (const f of files) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), '# t\n正文');
  }
  // A link back to the top must not make the walk go round for ever.
  await symlink(dir, join(dir, '2026', 'loop'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = async (paths: string[], recursive?: boolean) => (await collectFiles(dir, paths, recursive)).map((f) => f.name);

describe('the files zpub publish reads', () => {
  it("takes a folder's own Markdown files, and with --recursive its subfolders' in path order, hidden folders and packages left out", async () => {
    expect(await names(['.'])).toEqual(['intro.md']);
    expect(await names(['.'], true)).toEqual(['2025/b-side/deep.markdown', '2025/spring.md', '2026/autumn.MD', 'intro.md']);
    expect(await names(['2025'], true)).toEqual(['2025/b-side/deep.markdown', '2025/spring.md']);
  });

  it('reads a file named twice once, and names a folder without articles', async () => {
    expect(await names(['intro.md', '.', 'intro.md'])).toEqual(['intro.md']);
    const err = await collectFiles(dir, ['empty'], true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toBe('empty: no Markdown files (*.md) in this folder or its subfolders');
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    const flat = await collectFiles(dir, ['2025/b-side/..', 'nothing-here']).catch((e: unknown) => e);
    expect((flat as CliError).message).toBe('nothing-here: no such file or folder');
    const shallow = await collectFiles(dir, ['empty']).catch((e: unknown) => e);
    expect((shallow as CliError).message).toMatch(/no Markdown files \(\*\.md\) in this folder \(--recursive also reads its subfolders\)/);
  });
});
