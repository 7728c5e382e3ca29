import { HTML_POLICY, isSafeUrl } from './html-policy.js';

// Server-side pass of the editor's HTML policy. It must leave the editor's own output unchanged
// (the browser already cleaned it) and make anything else safe to show on the article page, so it
// is a small tokenizer rather than a full HTML parser: allowed tags pass with filtered attributes,
// dangerous elements vanish with their content, everything else is unwrapped, tags are balanced.

const ALLOWED = HTML_POLICY.allowed;
const VOIDS = new Set<string>(HTML_POLICY.voids);
const DROP = new Set<string>(HTML_POLICY.dropWithContent);
// Elements whose content is raw text in HTML: their end tag is the only way out.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);
const LANG = new RegExp(HTML_POLICY.langPattern);

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*\/(?!>))*)\s*(\/?)>/y;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z]{2,8});?/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? whole;
  });
}

/** Escapes an attribute value the way Chromium serializes it, so cleaned editor output round-trips. */
export function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\u00a0/g, '&nbsp;');
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
}

function keptAttributes(tag: string, raw: string): string | null {
  const wanted = ALLOWED[tag] ?? [];
  if (wanted.length === 0) return '';
  const found = new Map<string, string>();
  for (const m of raw.matchAll(ATTR)) {
    const name = (m[1] ?? '').toLowerCase();
    // The first occurrence wins, as in a browser.
    if (!found.has(name)) found.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  let out = '';
  for (const name of wanted) {
    const value = found.get(name);
    if (value === undefined) continue;
    let kept: string | null = value.slice(0, HTML_POLICY.maxAttrLength);
    if (name === 'href') kept = isSafeUrl(value, false) ? value.trim() : null;
    else if (name === 'src') kept = isSafeUrl(value, true) ? value.trim() : null;
    else if (name === 'lang') kept = LANG.test(value) ? value : null;
    if (kept === null) {
      // A link or image whose address cannot stay is not kept at all.
      if (name === 'href' || name === 'src') return null;
      continue;
    }
    out += ` ${name}="${escapeAttr(kept)}"`;
  }
  if (tag === 'a' && !found.has('href')) return null;
  if (tag === 'img' && !found.has('src')) return null;
  return out;
}

export function sanitizeHtml(input: string): string {
  let out = '';
  const open: string[] = [];
  let i = 0;
  // Name of the dropped element we are inside, and how deeply it nests in itself.
  let dropping: { tag: string; depth: number } | null = null;
  const inPre = () => open.includes('pre');

  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt === -1 || lt > i) {
      const end = lt === -1 ? input.length : lt;
      if (!dropping) out += input.slice(i, end);
      i = end;
      continue;
    }
    if (input.startsWith('<!--', i)) {
      const close = input.indexOf('-->', i + 4);
      i = close === -1 ? input.length : close + 3;
      continue;
    }
    if (input[i + 1] === '!' || input[i + 1] === '?') {
      const close = input.indexOf('>', i);
      i = close === -1 ? input.length : close + 1;
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(input);
    if (!m) {
      if (!dropping) out += '&lt;';
      i += 1;
      continue;
    }
    i = TAG.lastIndex;
    const closing = m[1] === '/';
    const raw = (m[2] ?? '').toLowerCase();
    const attrs = m[3] ?? '';

    if (dropping) {
      if (raw === dropping.tag) dropping.depth += closing ? -1 : 1;
      if (dropping.depth === 0) dropping = null;
      continue;
    }
    if (DROP.has(raw)) {
      if (closing) continue;
      if (RAW_TEXT.has(raw)) {
        const end = new RegExp(`</${raw}\\s*>`, 'i').exec(input.slice(i));
        i = end ? i + end.index + end[0].length : input.length;
      } else if (!VOIDS.has(raw) && m[4] !== '/' && !['meta', 'link', 'base', 'input', 'source', 'track', 'embed'].includes(raw)) {
        dropping = { tag: raw, depth: 1 };
      }
      continue;
    }
    const tag = HTML_POLICY.renamed[raw] ?? raw;
    if (!(tag in ALLOWED)) continue;
    // Code blocks hold text only: markup inside (highlighting spans, <code>) is flattened.
    if (inPre() && tag !== 'pre') {
      if (tag === 'br' && !closing) out += '\n';
      continue;
    }

    if (closing) {
      const at = open.lastIndexOf(tag);
      if (at === -1) continue;
      while (open.length > at) out += `</${open.pop() ?? ''}>`;
      continue;
    }
    const kept = keptAttributes(tag, attrs);
    if (kept === null) continue;
    out += `<${tag}${kept}>`;
    if (!VOIDS.has(tag)) open.push(tag);
  }
  while (open.length > 0) out += `</${open.pop() ?? ''}>`;
  return out;
}

/** The text a person reads, for excerpts and the "is there any content" check. */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

export function hasContent(html: string): boolean {
  return htmlToText(html).length > 0 || /<(img|hr|table)\b/i.test(html);
}
