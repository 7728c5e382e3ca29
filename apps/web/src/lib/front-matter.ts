/**
 * The YAML front matter of a Markdown file, read as far as batch files need: `key: value`,
 * quoted values, `[a, b]` lists and `- item` lists. Anything fancier is kept as its text.
 */
export type FrontValue = string | string[];

function unquote(s: string): string {
  const v = s.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1).trim();
  return v;
}

function scalar(raw: string): string {
  const v = raw.trim();
  if (v.startsWith('"') || v.startsWith("'")) return unquote(v);
  // A comment after an unquoted value (`cover: a.png # the red one`).
  return v.replace(/\s+#.*$/, '').trim();
}

/** Splits `lines` into the front matter's fields and the rest; no block, no fields. */
export function readFrontMatter(lines: string[]): { rest: string[]; fields: Map<string, FrontValue> } {
  const fields = new Map<string, FrontValue>();
  if ((lines[0] ?? '').trim() !== '---') return { rest: lines, fields };
  const close = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
  if (close < 0) return { rest: lines, fields };
  const block = lines.slice(1, close);
  block.forEach((line, i) => {
    const m = /^([^\s#:][^:]*?)\s*:(?:\s+(.*)|)$/.exec(line);
    if (!m || /^\s/.test(line)) return;
    const key = (m[1] ?? '').trim().toLowerCase();
    const value = (m[2] ?? '').trim();
    if (value.startsWith('[') && value.endsWith(']')) {
      fields.set(key, value.slice(1, -1).split(',').map(unquote).filter((s) => s !== ''));
    } else if (value !== '') {
      fields.set(key, scalar(value));
    } else {
      const items: string[] = [];
      for (const next of block.slice(i + 1)) {
        const li = /^\s*-\s+(.*)$/.exec(next);
        if (!li) break;
        items.push(scalar(li[1] ?? ''));
      }
      fields.set(key, items.filter((s) => s !== ''));
    }
  });
  return { rest: lines.slice(close + 1), fields };
}

/** The first of `keys` the front matter has, as one string (a list gives its first item). */
export function firstField(fields: Map<string, FrontValue>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = fields.get(key);
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== '') return s;
  }
  return undefined;
}
