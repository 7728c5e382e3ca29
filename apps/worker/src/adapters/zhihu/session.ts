/**
 * The account's session in its browser context: cookies on Zhihu's origins, the login check, and
 * requests made from inside the page (so they carry the context's cookies and the xsrf header,
 * exactly as Zhihu's own scripts send them).
 */
import type { ParsedCookie } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { PATHS, ZHIHU_CODES } from './selectors';

/** Where each part of Zhihu lives; all four are the sandbox's one origin when testing. */
export interface Origins {
  /** www.zhihu.com: login check, member lists, content/publish. */
  www: string;
  /** zhuanlan.zhihu.com: the editor, drafts, articles, uploaded_images. */
  zhuanlan: string;
  /** api.zhihu.com: upload tickets for local images. */
  api: string;
  /** zhihu-pics-upload.zhimg.com: where image bytes are PUT (Aliyun OSS). */
  imageUpload: string;
}

export interface Me {
  urlToken: string;
  name: string;
}

export const STEP_TIMEOUT = 15_000;

export async function setAccountCookies(page: Page, origins: Origins, cookies: readonly ParsedCookie[]): Promise<void> {
  const targets = [...new Set([origins.www, origins.zhuanlan, origins.api])];
  // Set on each origin rather than on the export's domain, so the same cookies work on the sandbox.
  await page.setCookie(
    ...targets.flatMap((url) =>
      cookies.map((c) => ({
        name: c.name,
        value: c.value,
        url,
        path: '/',
        httpOnly: c.httpOnly ?? false,
        secure: url.startsWith('https:'),
        ...(c.expires ? { expires: c.expires } : {}),
      })),
    ),
  );
}

/** Zhihu's error code in an answer body (`{"error":{"code":40352,...}}` or `{"code":4031,...}`), if any. */
export function zhihuCode(body: string): number | null {
  const m = /"code"\s*:\s*(\d+)/.exec(body);
  return m?.[1] ? Number(m[1]) : null;
}

/** The `message` of an answer body, if any. */
export function zhihuMessage(body: string): string | null {
  const m = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body)?.[1];
  if (m === undefined) return null;
  try {
    return JSON.parse(`"${m}"`) as string;
  } catch {
    return m;
  }
}

/** `GET {www}/api/v4/me` in the account's browser context: who the cookies log in as. */
export async function loginCheck(page: Page, origins: Origins): Promise<Me> {
  const res = await page.goto(origins.www + PATHS.me, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  if (!res) throw new PublishError('PUBLISH_TIMEOUT', 'The login check (GET /api/v4/me) got no answer');
  const body = await res.text().catch(() => '');
  const status = res.status();
  const code = zhihuCode(body);
  if (code === ZHIHU_CODES.captcha) throw new PublishError('CAPTCHA_REQUIRED', 'Zhihu asked for a captcha at the login check');
  if (code === ZHIHU_CODES.risk) throw new PublishError('RISK_CONTROL', 'Zhihu answered 40362 to the login check');
  if (status === 401 || status === 403) throw new PublishError('LOGIN_EXPIRED', `Zhihu answered HTTP ${status} to the login check`);
  if (status === 429) throw new PublishError('RATE_LIMITED', 'Zhihu answered HTTP 429 to the login check');
  if (!res.ok()) throw new PublishError('PUBLISH_TIMEOUT', `The login check answered HTTP ${status}`);
  let me: { url_token?: unknown; name?: unknown };
  try {
    me = JSON.parse(body) as typeof me;
  } catch {
    throw new PublishError('LOGIN_EXPIRED', 'The login check did not answer with an account');
  }
  if (typeof me.url_token !== 'string' || me.url_token === '') throw new PublishError('LOGIN_EXPIRED', 'The login check did not name an account');
  return { urlToken: me.url_token, name: typeof me.name === 'string' && me.name ? me.name : me.url_token };
}

export interface PageRequest {
  url: string;
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  /** A binary body, base64-encoded (it crosses into the page as text). */
  base64?: string;
  headers?: Record<string, string>;
  /** Send the context's cookies and Zhihu's API headers (x-requested-with, x-xsrftoken). */
  zhihu?: boolean;
  timeoutMs?: number;
}

export interface PageAnswer {
  /** 0 when the request never got an answer (network, CORS, timeout); `text` then says why. */
  status: number;
  text: string;
}

/**
 * A request made by the page itself, as Zhihu's editor makes its own: the context's cookies, the
 * browser's headers, and for Zhihu's APIs `x-xsrftoken` from the `_xsrf` cookie (zhihu_obsidian
 * sends it on every write) and `x-requested-with: fetch` (Wechatsync's header rules).
 */
export async function pageFetch(page: Page, req: PageRequest): Promise<PageAnswer> {
  return page.evaluate(async (r: PageRequest): Promise<PageAnswer> => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    let body: BodyInit | undefined;
    if (r.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(r.json);
    } else if (r.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(r.form).toString();
    } else if (r.base64 !== undefined) {
      body = Uint8Array.from(atob(r.base64), (c) => c.charCodeAt(0));
    }
    if (r.zhihu) {
      headers['x-requested-with'] = 'fetch';
      const xsrf = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie)?.[1];
      if (xsrf) headers['x-xsrftoken'] = decodeURIComponent(xsrf);
    }
    try {
      const res = await fetch(r.url, {
        method: r.method ?? 'GET',
        headers,
        body,
        credentials: r.zhihu ? 'include' : 'omit',
        signal: AbortSignal.timeout(r.timeoutMs ?? 30_000),
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      return { status: 0, text: String(error) };
    }
  }, req);
}
