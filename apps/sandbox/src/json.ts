import { randomBytes } from 'node:crypto';

// Zhihu writes article ids as bare JSON numbers even though they are past 2^53, so JSON.parse
// rounds them; consumers must read the id from an object key or the URL. To reproduce that without
// ever holding the id as a JS number, ids are written as marked strings and unquoted afterwards.
// The marker carries a per-process secret, so no title or body can forge one.

const SECRET = randomBytes(8).toString('hex');
const MARKED = new RegExp(`"@bare-${SECRET}:(\\d{1,30})"`, 'g');

/** A decimal id to be written as a bare JSON number. */
export function bareNumber(digits: string): string {
  if (!/^\d{1,30}$/.test(digits)) throw new Error(`not a decimal id: ${digits}`);
  return `@bare-${SECRET}:${digits}`;
}

export function stringifyWithBareNumbers(value: unknown): string {
  return JSON.stringify(value).replace(MARKED, '$1');
}
