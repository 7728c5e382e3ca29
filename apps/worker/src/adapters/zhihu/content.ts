/**
 * What an article says, compared the way proof needs it: titles with HTML entities decoded, and
 * bodies by their words and their hosted images, ignoring markup, whitespace and how an image
 * host names sizes (Zhihu re-renders both). Pure functions, shared by the update proof, the
 * draft-save check and the retry check.
 */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Titles in Zhihu's data may carry HTML entities; compare them decoded. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z]{2,8});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? whole;
  });
}

export function sameTitle(found: string, title: string): boolean {
  return found === title || decodeEntities(found) === title;
}

/** A body as proof compares it. */
export interface BodySignature {
  /** Every character of text, entities decoded, with no whitespace at all. */
  text: string;
  /** Hosted images in order of first appearance, by their `v2-<32 hex>` name. */
  images: string[];
}

/** Zhihu names a hosted image `v2-<md5>` and adds size suffixes and hosts around it (pic1…picx, `_720w.jpg`). */
const HOSTED_IMAGE = /v2-[0-9a-f]{32}/g;
/** Elements whose text is not article text (a lazy-loading page repeats images inside `noscript`). */
const NOT_TEXT = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

export function bodySignature(html: string): BodySignature {
  const text = decodeEntities(html.replace(NOT_TEXT, '').replace(/<[^>]*>/g, '')).replace(/[\s\u00a0\u200b\ufeff]+/g, '');
  const images: string[] = [];
  for (const m of html.matchAll(HOSTED_IMAGE)) if (!images.includes(m[0])) images.push(m[0]);
  return { text, images };
}

export function sameBody(a: BodySignature, b: BodySignature): boolean {
  return a.text === b.text && a.images.length === b.images.length && a.images.every((img, i) => img === b.images[i]);
}

/** What the page must show to count as this task's version: the title, and for an update also the body. */
export interface Expected {
  title: string;
  /** Set for an update: a stale version with the same title is not proof. */
  body?: BodySignature | undefined;
}

/** Whether what a page shows is the expected version. */
export function shows(found: { title: string; content?: string | undefined }, expected: Expected): boolean {
  if (!sameTitle(found.title, expected.title)) return false;
  if (!expected.body) return true;
  return found.content !== undefined && sameBody(bodySignature(found.content), expected.body);
}
