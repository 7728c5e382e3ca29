/**
 * One origin for everything a browser needs: the SPA's files, `/trpc`, and health endpoints.
 * Security headers go on every answer; state-changing requests from another origin are refused.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { contextFactory } from './context';
import { appRouter } from './routers/_app';
import type { Services } from './services/services';
import { SESSION_COOKIE, readCookie } from './services/sessions';

const SECURITY_HEADERS: Record<string, string> = {
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
};

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

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * A browser names the page that sent a request in `Origin` (or at least `Sec-Fetch-Site`).
 * Requests without either do not come from a web page, so they cannot be forged by one.
 */
export function crossSite(req: IncomingMessage, publicOrigin: string): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) return origin !== publicOrigin;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** The screenshot of a task's last failed attempt, to its owner only (anyone else: 404). */
async function serveEvidence(services: Services, req: IncomingMessage, res: ServerResponse, taskId: string): Promise<void> {
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  const user = sid ? await services.sessions.lookup(sid) : null;
  const row = services.index.get(taskId);
  if (!user || !row || row.userId !== user.id) return send(res, 404, '{"error":"not found"}');
  const doc = await services.models.Evidence.findById(`${taskId}:${row.attempt}`).lean();
  if (!doc?.screenshot) return send(res, 404, '{"error":"no screenshot"}');
  // lean() hands back the BSON Binary, not a Buffer.
  const body = Buffer.from(doc.screenshot.buffer);
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': body.length, 'Cache-Control': 'private, max-age=300' });
  res.end(body);
}

export function createHttpServer(services: Services): Server {
  const { env, log } = services;
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: env.MAX_BODY_BYTES,
    createContext: contextFactory(services),
    onError({ error, path, type }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        log.error({ path, type, err: error.cause?.message ?? error.message }, 'procedure failed');
      } else {
        log.debug({ path, type, code: error.code }, 'procedure refused');
      }
    },
  });
  const webRoot = resolve(env.WEB_DIST_DIR);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = join(webRoot, rel);
    if (!file.startsWith(webRoot)) return send(res, 404, '{"error":"not found"}');
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

  return createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (env.PUBLIC_ORIGIN.startsWith('https:')) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/trpc/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && crossSite(req, env.PUBLIC_ORIGIN)) {
        log.warn({ origin: req.headers.origin, path }, 'cross-site request refused');
        return send(res, 403, JSON.stringify({ error: { message: 'Cross-site requests are not accepted', code: 'FORBIDDEN' } }));
      }
      return trpc(req, res);
    }
    const evidence = /^\/api\/evidence\/([a-f0-9]{24})$/.exec(path);
    if (evidence?.[1] && req.method === 'GET') {
      serveEvidence(services, req, res, evidence[1]).catch((err: Error) => {
        log.error({ err: err.message }, 'evidence failed');
        if (!res.headersSent) send(res, 500, '{"error":"internal"}');
      });
      return;
    }
    if (path === '/healthz') return send(res, 200, '{"ok":true}');
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
