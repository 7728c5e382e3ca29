import { describe, expect, it } from 'vitest';
import { filesOfEntries, filesOfInput, type EntryLike } from './batch-folder';

function file(path: string): EntryLike {
  const name = path.split('/').pop() ?? path;
  return { isFile: true, isDirectory: false, name, fullPath: `/${path}`, file: (ok) => ok(new File([path], name)) };
}

/** A folder whose reader answers in pieces of two, as Chromium answers in pieces of 100. */
function dir(path: string, children: EntryLike[]): EntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name: path.split('/').pop() ?? path,
    fullPath: `/${path}`,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          ok(children.slice(at, at + 2));
          at += 2;
        },
      };
    },
  };
}

describe('filesOfEntries', () => {
  it('reads every file of a dropped folder, however many pieces the reader answers in', async () => {
    const tree = dir('notes', [file('notes/a.md'), dir('notes/img', [file('notes/img/a.png'), file('notes/img/b.png'), file('notes/img/c.png')]), file('notes/b.md')]);
    const picked = await filesOfEntries([tree, file('loose.md')]);
    expect(picked.map((p) => p.path)).toEqual(['notes/a.md', 'notes/img/a.png', 'notes/img/b.png', 'notes/img/c.png', 'notes/b.md', 'loose.md']);
    expect(await picked[1]?.file.text()).toBe('notes/img/a.png');
  });

  it('stops at the limit', async () => {
    const many = dir('big', Array.from({ length: 10 }, (_, i) => file(`big/${i}.md`)));
    expect(await filesOfEntries([many], 3)).toHaveLength(3);
  });
});

describe('filesOfInput', () => {
  it('uses the path in the chosen folder, or the name', () => {
    const inFolder = new File(['x'], 'a.png');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'notes/img/a.png' });
    expect(filesOfInput([inFolder, new File(['y'], 'b.md')]).map((p) => p.path)).toEqual(['notes/img/a.png', 'b.md']);
  });
});
