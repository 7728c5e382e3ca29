/**
 * Every image of an article onto Zhihu's image host before anything is published: a remote image
 * through `uploaded_images` (Zhihu fetches it), an image the user uploaded to zpub through the
 * local-file path (upload ticket, signed OSS PUT, status poll), as Wechatsync's adapter does. The
 * HTML then names the hosted copies. Any failure stops the attempt before the editor is touched.
 */
import { createHash, createHmac } from 'node:crypto';
import { assetIdOf } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { EQUATION_URL, OSS, PATHS, ZHIHU_IMAGE_HOST } from './selectors';
import { pageFetch, zhihuMessage, type Origins } from './session';

export interface AssetBytes {
  mime: string;
  data: Buffer;
}

/** Reads one of the user's uploaded images by its SHA-256, or null when zpub no longer has it. */
export type AssetLoader = (sha256: string) => Promise<AssetBytes | null>;

const POLL_INTERVAL_MS = 1000;
const POLL_TRIES = 15;

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const IMG_SRC = /(<img\b[^>]*?\ssrc=")([^"]*)(")/g;

/** The `src` of every `<img>` in the HTML, decoded, each once, in order. */
export function imageSources(html: string): string[] {
  return [...new Set([...html.matchAll(IMG_SRC)].map((m) => decode(m[2] ?? '')))];
}

/** The HTML with every `<img src>` found in `hosted` replaced by its hosted URL. */
export function replaceImageSources(html: string, hosted: ReadonlyMap<string, string>): string {
  return html.replace(IMG_SRC, (whole, open: string, src: string, close: string) => {
    const to = hosted.get(decode(src));
    return to === undefined ? whole : `${open}${encode(to)}${close}`;
  });
}

/**
 * What an image needs: `hosted` (on Zhihu's image host already, or a formula Zhihu draws),
 * `remote` (a web address to re-host), `asset` (an image the user uploaded to zpub), or `invalid`
 * (anything else, which Zhihu's editor would drop).
 */
export function imageKind(src: string, origins: Origins): 'hosted' | 'remote' | 'asset' | 'invalid' {
  if (assetIdOf(src)) return 'asset';
  if (EQUATION_URL.test(src)) return 'hosted';
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'invalid';
  if (ZHIHU_IMAGE_HOST.test(url.hostname)) return 'hosted';
  // The sandbox hosts its copies as /v2-<md5> on its own origin, as pic*.zhimg.com does.
  if (url.origin === new URL(origins.imageUpload).origin && /^\/v2-[0-9a-f]{32}/.test(url.pathname)) return 'hosted';
  return 'remote';
}

function failed(detail: string, permanent = false): PublishError {
  return new PublishError('IMAGE_UPLOAD_FAILED', detail, false, permanent);
}

function parse<T>(text: string): Partial<T> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Partial<T>) : {};
  } catch {
    return {};
  }
}

function isHttpUrl(s: unknown): s is string {
  return typeof s === 'string' && /^https?:\/\//.test(s);
}

const shorten = (src: string) => (src.length > 120 ? `${src.slice(0, 117)}...` : src);

/** `POST {zhuanlan}/api/uploaded_images` with `url` and `source=article` -> `{ src }` (Wechatsync). */
async function rehostRemote(page: Page, origins: Origins, src: string): Promise<string> {
  const res = await pageFetch(page, {
    url: origins.zhuanlan + PATHS.uploadedImages,
    method: 'POST',
    form: { url: src, source: 'article' },
    zhihu: true,
  });
  const body = parse<{ src: unknown }>(res.text);
  if (res.status === 200 && isHttpUrl(body.src)) return body.src;
  const said = zhihuMessage(res.text);
  throw failed(`Zhihu did not re-host the image ${shorten(src)} (HTTP ${res.status}${said ? `: ${said}` : ''})`);
}

interface Ticket {
  upload_file: { state: number; image_id: string; object_key: string };
  upload_token: { access_id: string; access_key: string; access_token: string };
}

/**
 * A local file: a ticket for its MD5 (`POST {api}/images`), the bytes PUT to the image bucket
 * signed with the ticket's key (Aliyun OSS V1, as Wechatsync and zhihu_obsidian sign it) unless
 * Zhihu has them already, then `GET {api}/images/<id>` until the hosted copy is ready.
 */
async function uploadBytes(page: Page, origins: Origins, asset: AssetBytes, what: string): Promise<string> {
  const hash = createHash('md5').update(asset.data).digest('hex');
  const ticketRes = await pageFetch(page, { url: origins.api + PATHS.images, method: 'POST', json: { image_hash: hash, source: 'article' }, zhihu: true });
  const ticket = parse<Ticket>(ticketRes.text);
  const file = ticket.upload_file;
  if (ticketRes.status !== 200 || !file?.image_id || !file.object_key) {
    const said = zhihuMessage(ticketRes.text);
    throw failed(`Zhihu gave no upload ticket for ${what} (HTTP ${ticketRes.status}${said ? `: ${said}` : ''})`);
  }
  if (file.state !== OSS.alreadyHosted) {
    const token = ticket.upload_token;
    if (!token?.access_id || !token.access_key || !token.access_token) throw failed(`Zhihu's upload ticket for ${what} carries no upload token`);
    const date = new Date().toUTCString();
    const stringToSign = `PUT\n\n${asset.mime}\n${date}\nx-oss-date:${date}\nx-oss-security-token:${token.access_token}\nx-oss-user-agent:${OSS.userAgent}\n/${OSS.bucket}/${file.object_key}`;
    const signature = createHmac('sha1', token.access_key).update(stringToSign).digest('base64');
    const put = await pageFetch(page, {
      url: `${origins.imageUpload}/${file.object_key}`,
      method: 'PUT',
      base64: asset.data.toString('base64'),
      headers: {
        'Content-Type': asset.mime,
        Authorization: `OSS ${token.access_id}:${signature}`,
        'x-oss-date': date,
        'x-oss-security-token': token.access_token,
        'x-oss-user-agent': OSS.userAgent,
      },
    });
    if (put.status < 200 || put.status >= 300) throw failed(`The image host refused ${what} (HTTP ${put.status})`);
  }
  for (let i = 0; i < POLL_TRIES; i++) {
    const res = await pageFetch(page, { url: origins.api + PATHS.image(file.image_id), zhihu: true });
    const status = parse<{ status: unknown; original_src: unknown; src: unknown }>(res.text);
    const src = isHttpUrl(status.original_src) ? status.original_src : status.src;
    if (res.status === 200 && (OSS.ready as readonly unknown[]).includes(status.status) && isHttpUrl(src)) return src;
    if (res.status !== 200) throw failed(`Zhihu did not report on ${what} (HTTP ${res.status})`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  throw failed(`Zhihu did not finish processing ${what} within ${(POLL_TRIES * POLL_INTERVAL_MS) / 1000} s`);
}

async function rehostOne(page: Page, origins: Origins, src: string, loadAsset: AssetLoader): Promise<string> {
  const assetId = assetIdOf(src);
  if (!assetId) {
    if (imageKind(src, origins) === 'invalid') throw failed(`The image ${shorten(src)} is neither a web address nor an uploaded image (/assets/<sha256>)`, true);
    return rehostRemote(page, origins, src);
  }
  const asset = await loadAsset(assetId);
  if (!asset) throw failed(`The uploaded image ${src} is no longer in zpub; upload it again`, true);
  return uploadBytes(page, origins, asset, `the uploaded image ${src}`);
}

export interface Rehosted {
  html: string;
  cover: string | undefined;
  /** How many images were re-hosted (the cover included). */
  count: number;
}

/** Re-hosts every image of `html` and the cover that is not on Zhihu yet; the page must be on Zhihu. */
export async function rehostImages(page: Page, origins: Origins, html: string, cover: string | undefined, loadAsset: AssetLoader): Promise<Rehosted> {
  const wanted = [...imageSources(html), ...(cover ? [cover] : [])].filter((src) => imageKind(src, origins) !== 'hosted');
  const hosted = new Map<string, string>();
  for (const src of wanted) {
    if (!hosted.has(src)) hosted.set(src, await rehostOne(page, origins, src, loadAsset));
  }
  return { html: replaceImageSources(html, hosted), cover: cover ? (hosted.get(cover) ?? cover) : undefined, count: hosted.size };
}
