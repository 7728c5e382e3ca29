/**
 * `POST /assets` takes one image as the raw request body and answers `{ url: '/assets/<sha256>' }`;
 * `GET /assets/<sha256>` serves it back to the user who uploaded it, and to nobody else (404).
 * Plain HTTP rather than tRPC, which speaks JSON: an image would cost a third more as base64.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ASSET_MAX_BYTES, ASSET_PATH_PREFIX } from '@zpub/shared';
import { isOutage } from '@zpub/shared/node';
import { INTERNAL_MESSAGE, crossSite, discard, readLimited, refuse, send } from './http-answers';
import { authenticate, carriesAuthorization, credentialOf } from './principal';
import { sniffImageType } from './services/assets';
import type { Services } from './services/services';

const ASSET_URL = /^\/assets\/([a-f0-9]{64})$/;
const MIB = ASSET_MAX_BYTES / (1024 * 1024);
const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** Whether a path is one of this module's; Vite's own files under /assets/ always have an extension. */
export function isAssetPath(path: string): boolean {
  return path === '/assets' || ASSET_URL.test(path);
}

function tooLarge(res: ServerResponse): void {
  refuse(res, 413, 'PAYLOAD_TOO_LARGE', `The image is larger than the ${MIB} MiB (${ASSET_MAX_BYTES}-byte) limit`, 'TOO_LARGE');
}

async function upload(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { env, log } = services;
  // The same fence as /trpc: a page elsewhere could send the session cookie along (an API token
  // in an Authorization header is never sent by a browser on its own).
  if (!carriesAuthorization(req) && crossSite(req, env.PUBLIC_ORIGIN)) {
    log.warn({ origin: req.headers.origin, site: req.headers['sec-fetch-site'], path: '/assets' }, 'cross-site request refused');
    discard(req, ASSET_MAX_BYTES);
    return refuse(res, 403, 'FORBIDDEN', 'Cross-site requests are not accepted; use the app at its own address', 'CROSS_SITE');
  }
  const principal = await authenticate(services, req);
  if (!principal) {
    discard(req, ASSET_MAX_BYTES);
    const kind = credentialOf(req)?.kind;
    if (kind === 'token' || kind === 'bad-token') {
      return refuse(res, 401, 'UNAUTHORIZED', 'The API token was refused: it is wrong or was revoked. Create a new one on the API tokens page of the app', 'TOKEN_REFUSED');
    }
    return refuse(res, 401, 'UNAUTHORIZED', 'Sign in first', 'UNAUTHORIZED');
  }
  if (Number(req.headers['content-length'] ?? 0) > ASSET_MAX_BYTES) {
    discard(req, ASSET_MAX_BYTES * 4);
    return tooLarge(res);
  }
  const body = await readLimited(req, ASSET_MAX_BYTES);
  if (!body.ok) {
    discard(req, ASSET_MAX_BYTES * 4);
    return tooLarge(res);
  }
  if (body.bytes.length === 0) return refuse(res, 400, 'BAD_REQUEST', 'The request carries no image: send the image itself as the body', 'EMPTY');
  const mime = sniffImageType(body.bytes);
  if (!mime) {
    const form = /^multipart\//i.test(req.headers['content-type'] ?? '') ? ' Send the image itself as the body, not a form.' : '';
    return refuse(
      res,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Only PNG, JPEG, GIF and WebP images are accepted, and these bytes are none of them (SVG is refused: it can carry script).${form}`,
      'UNSUPPORTED_IMAGE',
    );
  }
  const saved = await services.assets.save(principal.user.id, body.bytes, mime);
  log.info({ userId: principal.user.id, sha256: saved.sha256, size: body.bytes.length, mime, created: saved.created }, 'image uploaded');
  send(res, saved.created ? 201 : 200, JSON.stringify({ url: saved.url, sha256: saved.sha256, mime, size: body.bytes.length }));
}

async function serve(services: Services, req: IncomingMessage, res: ServerResponse, sha256: string): Promise<void> {
  const principal = await authenticate(services, req);
  const asset = principal ? await services.assets.read(principal.user.id, sha256) : null;
  if (!asset) return send(res, 404, '{"error":"not found"}');
  const etag = `"${asset.sha256}"`;
  const headers = {
    'Content-Type': asset.mime,
    // The bytes behind an address never change; only their owner's browser may keep them.
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: etag,
    Vary: 'Cookie',
    'Content-Disposition': `inline; filename="${asset.sha256.slice(0, 16)}.${EXTENSIONS[asset.mime] ?? 'img'}"`,
    // Opened on its own, the image is a document with nothing to run.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': asset.size });
  res.end(req.method === 'HEAD' ? undefined : asset.data);
}

export function assetsRoute(services: Services, req: IncomingMessage, res: ServerResponse, path: string): void {
  const sha256 = ASSET_URL.exec(path)?.[1];
  let work: Promise<void>;
  if (path === ASSET_PATH_PREFIX.slice(0, -1) && req.method === 'POST') work = upload(services, req, res);
  else if (sha256 && (req.method === 'GET' || req.method === 'HEAD')) work = serve(services, req, res, sha256);
  else return send(res, 405, '{"error":"method not allowed"}');
  work.catch((err: Error) => {
    services.log.error({ err: err.message, path }, 'image request failed');
    if (res.headersSent) return;
    if (isOutage(err)) refuse(res, 503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; try again in a moment', 'UNAVAILABLE');
    else if (/aborted/.test(err.message)) res.destroy();
    else refuse(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE, 'INTERNAL');
  });
}
