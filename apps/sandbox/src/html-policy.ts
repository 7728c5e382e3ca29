// What Zhihu's editor keeps of pasted HTML. One list for both sides: the editor page embeds it in
// its script (the browser cleans what is pasted, as Draft.js does) and sanitize.ts applies it
// again on the server, because an API call need not come from that page.

export const HTML_POLICY = {
  /** Tag -> attributes it keeps, in the order they are written out. */
  allowed: {
    p: [],
    br: [],
    h1: [],
    h2: [],
    h3: [],
    h4: [],
    strong: [],
    b: [],
    em: [],
    i: [],
    u: [],
    s: [],
    del: [],
    a: ['href'],
    blockquote: [],
    ul: [],
    ol: [],
    li: [],
    pre: ['lang'],
    code: [],
    hr: [],
    table: [],
    thead: [],
    tbody: [],
    tr: [],
    th: [],
    td: [],
    figure: [],
    figcaption: [],
    img: ['src', 'alt', 'data-caption', 'eeimg'],
    sup: [],
    sub: [],
  } as Record<string, readonly string[]>,
  /** Headings the editor does not have become paragraphs rather than losing their line. */
  renamed: { h5: 'p', h6: 'p' } as Record<string, string>,
  voids: ['br', 'hr', 'img'],
  blocks: ['p', 'h1', 'h2', 'h3', 'h4', 'blockquote', 'ul', 'ol', 'pre', 'hr', 'table', 'figure'],
  /** Dropped with everything inside; any other unknown tag is unwrapped and its text kept. */
  dropWithContent: [
    'script', 'style', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'noscript', 'noembed',
    'noframes', 'xmp', 'textarea', 'select', 'button', 'input', 'option', 'title', 'head', 'meta', 'link',
    'base', 'svg', 'math', 'canvas', 'video', 'audio', 'source', 'track', 'picture', 'map', 'dialog',
  ],
  /** Unknown containers that still end a paragraph, so their text does not run into the next line. */
  blockContainers: [
    'div', 'section', 'article', 'header', 'footer', 'main', 'aside', 'nav', 'address', 'center', 'details',
    'summary', 'dl', 'dt', 'dd', 'form', 'fieldset', 'caption',
  ],
  langPattern: '^[A-Za-z0-9_+#.-]{1,30}$',
  maxAttrLength: 4000,
} as const;

/** Whether a URL may stay in the article: absolute http(s), or protocol-relative for images (formulas use `//`). */
export function isSafeUrl(value: string, allowProtocolRelative: boolean): boolean {
  const v = value.trim();
  if (!v || v.length > HTML_POLICY.maxAttrLength) return false;
  if (allowProtocolRelative && v.startsWith('//')) return isSafeUrl(`https:${v}`, false);
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
