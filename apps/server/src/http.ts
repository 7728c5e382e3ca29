/**
 * One origin for everything a browser needs: the SPA's files, `/trpc`, uploaded images
 * (`/assets`, assets-http.ts), and health endpoints.
 * Security headers go on every answer; state-changing requests from another origin are refused.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { assetsRoute, isAssetPath } from './assets-http';
import { contextFactory } from './context';
import { INTERNAL_MESSAGE, crossSite, discard, refuse, send } from './http-answers';
import { createMetrics } from './metrics';
import { appRouter } from './routers/_app';
import { authenticate, carriesAuthorization } from './principal';
import type { Services } from './services/services';
import { singleCallHandler } from './single-call';
import { UPDATE_STREAM_PATH, serveUpdateStream } from './update-stream';

const SECURITY_HEADERS: readonly (readonly [string, string])[] = Object.entries({
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    // Article previews show images by URL, as Zhihu will.
    "img-src 'self' data: blob: https: http:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
});

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The screenshot of a task's last failed attempt, to its owner only (anyone else: 404). */
async function serveEvidence(services: Services, req: IncomingMessage, res: ServerResponse, taskId: string): Promise<void> {
  const user = (await authenticate(services, req))?.user;
  const row = /^[a-f0-9]{24}$/.test(taskId) ? await services.rows.one(taskId, 'detail') : null;
  if (!user || !row || row.userId !== user.id) return send(res, 404, '{"error":"not found"}');
  const doc = await services.models.Evidence.findById(`${taskId}:${row.attempt}`).lean();
  if (!doc?.screenshot) return send(res, 404, '{"error":"no screenshot"}');
  // lean() hands back the BSON Binary, not a Buffer.
  const body = Buffer.from(doc.screenshot.buffer);
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': body.length, 'Cache-Control': 'private, max-age=300' });
  res.end(body);
}

/**
 * Metrics go to a scraper holding METRICS_TOKEN, or, without a token, to this machine only; a
 * request relayed by a proxy (X-Forwarded-For) is never taken for a local one.
 */
function metricsAllowed(req: IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) return false;
  const ip = req.socket.remoteAddress ?? '';
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

export function createHttpServer(services: Services): Server {
  const { env, log } = services;
  const createContext = contextFactory(services);
  const onError = ({ error, path, type }: { error: TRPCError; path?: string; type: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      log.error({ path, type, err: error.cause?.message ?? error.message }, 'procedure failed');
    } else {
      log.debug({ path, type, code: error.code }, 'procedure refused');
    }
  };
  const trpc = createHTTPHandler({ router: appRouter, basePath: '/trpc/', maxBodySize: env.MAX_BODY_BYTES, createContext, onError });
  const singleCall = singleCallHandler({ router: appRouter, createContext, maxBodySize: env.MAX_BODY_BYTES, onError });
  const webRoot = resolve(env.WEB_DIST_DIR);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, '{"error":"bad path"}');
    }
    if (decoded.includes('\0')) return send(res, 400, '{"error":"bad path"}');
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    let file = join(webRoot, rel);
    // Inside the folder, not merely starting with its name (dist-old/ is not dist/).
    if (file !== webRoot && !file.startsWith(webRoot + sep)) return send(res, 404, '{"error":"not found"}');
    let info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) {
      // Client-side routes all load the app.
      if (extname(rel) !== '') return send(res, 404, '{"error":"not found"}');
      file = join(webRoot, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info) return send(res, 503, 'The web app is not built; run `pnpm build`.', 'text/plain; charset=utf-8');
    }
    const hashed = file.includes(`${join(webRoot, 'assets')}`);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  const metrics = createMetrics(services);
  return createServer((req, res) => {
    for (const [k, v] of SECURITY_HEADERS) res.setHeader(k, v);
    if (env.PUBLIC_ORIGIN.startsWith('https:')) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request line no URL parser accepts must not take the process down.
      return send(res, 400, '{"error":"bad request"}');
    }
    const path = url.pathname;
    if (path.startsWith('/trpc/')) {
      // A request with its own Authorization header (an API token) is never judged by the cookie.
      const ambient = !carriesAuthorization(req);
      if (ambient && req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && crossSite(req, env.PUBLIC_ORIGIN)) {
        log.warn({ origin: req.headers.origin, site: req.headers['sec-fetch-site'], path }, 'cross-site request refused');
        return refuse(res, 403, 'FORBIDDEN', 'Cross-site requests are not accepted; use the app at its own address', 'CROSS_SITE');
      }
      // A declared size over the limit is refused before a byte of the body is read; a body
      // without a declared size is cut off by the tRPC adapter once it passes the limit.
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > env.MAX_BODY_BYTES) {
        discard(req, env.MAX_BODY_BYTES * 4);
        return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `The request is larger than the ${env.MAX_BODY_BYTES}-byte limit`, 'TOO_LARGE');
      }
      // Answers are per user: no shared cache may keep one.
      res.setHeader('Cache-Control', 'no-store');
      if (req.method === 'GET' && path === UPDATE_STREAM_PATH) {
        serveUpdateStream(req, res, createContext, appRouter).then(
          (served) => {
            if (!served) trpc(req, res);
          },
          (err: Error) => {
            log.error({ err: err.message }, 'live stream failed');
            if (!res.headersSent) send(res, 500, '{"error":"internal"}');
            else res.destroy();
          },
        );
        return;
      }
      singleCall(req, res, url).then(
        (served) => {
          if (!served) trpc(req, res);
        },
        (err: Error) => {
          log.error({ err: err.message, path }, 'procedure call failed');
          if (!res.headersSent) refuse(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE, 'INTERNAL');
          else res.destroy();
        },
      );
      return;
    }
    const evidence = /^\/api\/evidence\/([a-f0-9]{24})$/.exec(path);
    if (evidence?.[1] && req.method === 'GET') {
      serveEvidence(services, req, res, evidence[1]).catch((err: Error) => {
        log.error({ err: err.message }, 'evidence failed');
        if (!res.headersSent) send(res, 500, '{"error":"internal"}');
      });
      return;
    }
    if (isAssetPath(path)) return assetsRoute(services, req, res, path);
    if (path === '/healthz') return send(res, 200, '{"ok":true}');
    if (path === '/metrics') {
      if (!metricsAllowed(req, env.METRICS_TOKEN)) return send(res, 403, '{"error":"forbidden"}');
      metrics.metrics().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
          res.end(body);
        },
        (err: Error) => send(res, 500, JSON.stringify({ error: err.message })),
      );
      return;
    }
    if (path === '/readyz') {
      const mongo = services.conn.readyState === 1;
      const redis = services.redis.isReady;
      return send(res, mongo && redis ? 200 : 503, JSON.stringify({ ok: mongo && redis, mongo, redis }));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '{"error":"method not allowed"}');
    serveStatic(req, res, path).catch((err: Error) => {
      log.error({ err: err.message, path }, 'static file failed');
      if (!res.headersSent) send(res, 500, '{"error":"internal"}');
    });
  });
}
