/** Imitates a machine without a Chinese font: fontconfig (which Chromium asks) pointed at every other font. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Links every font without Chinese glyphs into one folder and writes a fontconfig file for it. */
export function fontConfigWithoutChinese(dir: string): string {
  const list = (...args: string[]) =>
    execFileSync('fc-list', [...args, '--format', '%{file}\n'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const chinese = new Set(list(':lang=zh'));
  if (chinese.size === 0) throw new Error('this machine has no Chinese font at all (fc-list :lang=zh): install fonts-noto-cjk');
  const others = list().filter((f) => !chinese.has(f));
  if (others.length === 0) throw new Error('every font of this machine has Chinese glyphs, so no machine without one can be imitated');
  const fonts = join(dir, 'fonts');
  mkdirSync(fonts, { recursive: true });
  others.forEach((f, i) => symlinkSync(f, join(fonts, `${i}-${basename(f)}`)));
  const file = join(dir, 'fonts.conf');
  writeFileSync(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${fonts}</dir>\n  <cachedir>${join(dir, 'fc-cache')}</cachedir>\n</fontconfig>\n`,
  );
  return file;
}
