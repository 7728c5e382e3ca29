/**
 * Images a Markdown file names by a path relative to itself (`![](img/a.png)`, `./a.png`,
 * `../shared/b.png`, and `[ref]: img/a.png` definitions that images use): found outside code,
 * and rewritten to the addresses of the uploaded copies. Web addresses, `/assets/...` and other
 * absolute paths are left alone. The SPA's batch screen and the CLI both use it.
 */
import { walkFences as walk } from './document';

export interface ImageRef {
  /** The destination as written, `<...>` included, at [start, end) of the text. */
  start: number;
  end: number;
  /** The path it names: brackets, title, query and fragment removed, %-escapes decoded. */
  path: string;
}

/** A path relative to the document, as opposed to a URL, a site path or an anchor. */
export function isRelativeRef(dest: string): boolean {
  const d = dest.trim();
  return d !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(d) && !d.startsWith('/') && !d.startsWith('\\') && !d.startsWith('#') && !d.startsWith('?');
}

function pathOf(dest: string): string {
  const inner = dest.startsWith('<') && dest.endsWith('>') ? dest.slice(1, -1) : dest;
  const bare = inner.replace(/[?#].*$/, '').replace(/\\/g, '/');
  try {
    return decodeURI(bare);
  } catch {
    return bare;
  }
}

/** Blanks out `inline code` (same length), so nothing inside it is taken for an image. */
function maskCode(line: string): string {
  return line.replace(/(`+)([\s\S]*?)\1/g, (m) => ' '.repeat(m.length));
}

const INLINE_IMAGE = /!\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REF_IMAGE = /!\[((?:[^\]\\]|\\.)*)\](?:\[((?:[^\]\\]|\\.)*)\])?(?!\()/g;
const DEFINITION = /^ {0,3}\[((?:[^\]\\]|\\.)+)\]:[ \t]*(<[^>\n]*>|\S+)/;

const label = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** Every relative image destination of a Markdown text, in order. */
export function relativeImageRefs(markdown: string): ImageRef[] {
  const all = markdown.split('\n');
  const offsets: number[] = [];
  let at = 0;
  for (const line of all) {
    offsets.push(at);
    at += line.length + 1;
  }
  const found: ImageRef[] = [];
  const labels = new Set<string>();
  const definitions: { line: number; m: RegExpExecArray }[] = [];
  walk(all, (line, i, inFence) => {
    if (inFence) return;
    const text = maskCode(line);
    const base = offsets[i] ?? 0;
    for (const m of text.matchAll(INLINE_IMAGE)) {
      const dest = m[1] ?? '';
      const start = base + (m.index ?? 0) + m[0].indexOf(dest, m[0].indexOf(']('));
      if (isRelativeRef(pathOf(dest))) found.push({ start, end: start + dest.length, path: pathOf(dest) });
    }
    for (const m of text.matchAll(REF_IMAGE)) {
      const name = m[2] !== undefined && m[2].trim() !== '' ? m[2] : (m[1] ?? '');
      if (name.trim() !== '') labels.add(label(name));
    }
    const def = DEFINITION.exec(text);
    if (def) definitions.push({ line: i, m: def });
  });
  for (const { line, m } of definitions) {
    const dest = m[2] ?? '';
    if (!labels.has(label(m[1] ?? '')) || !isRelativeRef(pathOf(dest))) continue;
    const start = (offsets[line] ?? 0) + m[0].length - dest.length;
    found.push({ start, end: start + dest.length, path: pathOf(dest) });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The text with each ref's destination replaced by `urlOf(ref)` (refs as relativeImageRefs gave them). */
export function rewriteRefs(markdown: string, refs: readonly ImageRef[], urlOf: (ref: ImageRef) => string): string {
  let out = '';
  let at = 0;
  for (const ref of [...refs].sort((a, b) => a.start - b.start)) {
    out += markdown.slice(at, ref.start) + urlOf(ref);
    at = ref.end;
  }
  return out + markdown.slice(at);
}
