/**
 * Reads the cookies a person pastes for a platform account: either a `Cookie:` request header
 * (as copied from the browser's network panel) or a JSON cookie export (Cookie-Editor,
 * EditThisCookie, or a puppeteer/playwright storage state). Isomorphic: the SPA checks a paste
 * before sending it, the server checks again before encrypting it.
 */

export interface ParsedCookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  /** Unix seconds; absent for session cookies. */
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
}

export class CookieParseError extends Error {
  override name = 'CookieParseError';
}

/** The cookie that carries a Zhihu login. */
export const ZHIHU_LOGIN_COOKIE = 'z_c0';
const MAX_COOKIES = 200;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Cookie values may hold almost anything printable, but never separators or control characters.
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\u0000-\u001f\u007f;\s]/;

export function parseCookies(input: string): ParsedCookie[] {
  const text = input.trim();
  if (text.length === 0) throw new CookieParseError('The cookies are empty');
  const cookies = text.startsWith('[') || text.startsWith('{') ? fromJson(text) : fromHeader(text);
  if (cookies.length === 0) throw new CookieParseError('No cookie found in the text');
  if (cookies.length > MAX_COOKIES) throw new CookieParseError(`At most ${MAX_COOKIES} cookies are accepted`);
  // A later duplicate wins, as it would in a browser jar.
  const byName = new Map<string, ParsedCookie>();
  for (const c of cookies) byName.set(`${c.name}@${c.domain ?? ''}`, c);
  return [...byName.values()];
}

/** Parses and insists on the login cookie, so a paste of the wrong thing is refused at once. */
export function parseLoginCookies(input: string, required = ZHIHU_LOGIN_COOKIE): ParsedCookie[] {
  const cookies = parseCookies(input);
  const login = cookies.find((c) => c.name === required);
  if (!login) {
    throw new CookieParseError(
      `The cookies have no ${required} (Zhihu's login cookie): copy them from a tab where you are logged in to zhihu.com`,
    );
  }
  if (login.value.length === 0) throw new CookieParseError(`The ${required} cookie is empty`);
  return cookies;
}

/** Renders cookies as a `Cookie` header value. */
export function cookieHeader(cookies: readonly Pick<ParsedCookie, 'name' | 'value'>[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

function fromHeader(text: string): ParsedCookie[] {
  const body = text.replace(/^cookie\s*:/i, '').trim();
  const out: ParsedCookie[] = [];
  const parts = body.split(/;|\r?\n/);
  parts.forEach((raw, i) => {
    const part = raw.trim();
    if (part.length === 0) return;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new CookieParseError(`Cookie ${i + 1} is not name=value; paste the Cookie header or a JSON export`);
    }
    out.push(checked(part.slice(0, eq).trim(), unquote(part.slice(eq + 1).trim()), `Cookie ${i + 1}`));
  });
  return out;
}

function fromJson(text: string): ParsedCookie[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CookieParseError(`The cookie export is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.cookies) ? data.cookies : null;
  if (!list) throw new CookieParseError('The JSON must be an array of cookies or an object with a "cookies" array');
  return list.map((item: unknown, i: number) => {
    const where = `Cookie ${i + 1} of the export`;
    if (!isRecord(item)) throw new CookieParseError(`${where} is not an object`);
    const { name, value } = item;
    if (typeof name !== 'string') throw new CookieParseError(`${where} has no "name"`);
    if (typeof value !== 'string') throw new CookieParseError(`${where} (${preview(name)}) has no string "value"`);
    const c = checked(name, value, where);
    if (typeof item.domain === 'string' && item.domain.length > 0) c.domain = item.domain;
    if (typeof item.path === 'string' && item.path.length > 0) c.path = item.path;
    const expires = typeof item.expirationDate === 'number' ? item.expirationDate : item.expires;
    if (typeof expires === 'number' && expires > 0) c.expires = Math.floor(expires);
    if (typeof item.httpOnly === 'boolean') c.httpOnly = item.httpOnly;
    if (typeof item.secure === 'boolean') c.secure = item.secure;
    return c;
  });
}

function checked(name: string, value: string, where: string): ParsedCookie {
  if (!TOKEN.test(name)) throw new CookieParseError(`${where} has an invalid name "${preview(name)}"`);
  if (BAD_VALUE.test(value)) {
    throw new CookieParseError(`${where} (${name}) has a value with spaces, ";" or control characters`);
  }
  return { name, value };
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** A short, safe excerpt for error messages: never echo a whole cookie value back. */
function preview(s: string): string {
  return s.length > 12 ? `${s.slice(0, 12)}…` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
