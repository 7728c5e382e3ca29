/**
 * Images of dropped Markdown files: the refs are found by `@zpub/shared` (markdown-images.ts);
 * here they are resolved within the folder that was dropped.
 */
export { isRelativeRef, relativeImageRefs, rewriteRefs, type ImageRef } from '@zpub/shared';

/** The folder part of a path (`posts/a.md` -> `posts`; `a.md` -> ``). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `ref` seen from `dir`, as a path from the top of what was dropped; null if it leaves it. */
export function resolvePath(dir: string, ref: string): string | null {
  const out: string[] = [];
  for (const part of [...dir.split('/'), ...ref.split('/')]) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}
