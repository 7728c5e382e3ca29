import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxState, sendPage, type RequestContext, type SandboxConfig } from './context.js';
import { FaultRegistry } from './faults.js';
import { HttpError, accountOf, sendJson } from './http.js';
import { ImageHost } from './images.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { notFoundPage } from './pages/not-found.js';
import type { Layout } from './pages/write.js';
import { findRoute, type Route } from './router.js';
import { articleRoutes } from './routes/articles.js';
import { editorRoutes } from './routes/editor.js';
import { hookRoutes } from './routes/hooks.js';
import { imageRoutes } from './routes/images.js';
import { publishRoutes } from './routes/publish.js';
import { wwwRoutes } from './routes/www.js';
import { Store } from './store.js';
import { TopicIndex } from './topics.js';
import { ERR } from './zhihu-errors.js';

// The sandbox's HTTP surface: www.zhihu.com, zhuanlan.zhihu.com, api.zhihu.com and the image
// upload host's paths on one port, plus the /__sandbox hooks tests use. Each area's routes live in
// routes/; faults fire where a route calls `faults.take(...)`.

export type { Layout } from './pages/write.js';

export interface SandboxOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long draft saves and publishes take, and the pause before the post-publish redirect. */
  delayMs?: number;
  /** Which editor flow /write serves at start (default `today`); POST /__sandbox/config changes it. */
  layout?: Layout;
  /** Where published articles persist across restarts; none = memory only. */
  dataFile?: string;
  logger?: Logger;
}

export interface Sandbox {
  server: Server;
  /** e.g. http://127.0.0.1:3100 */
  url: string;
  close(): Promise<void>;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.logger ?? silentLogger;
  const store = new Store(options.dataFile);
  await store.load();
  const shutdown = new AbortController();
  const config: SandboxConfig = { delayMs: options.delayMs ?? 300, layout: options.layout ?? 'today' };
  const state = new SandboxState(store, new FaultRegistry(), new TopicIndex(), new ImageHost(), config, log, shutdown.signal);
  const routes: Route[] = [
    ...hookRoutes(state),
    ...wwwRoutes(state),
    ...editorRoutes(state),
    ...publishRoutes(state),
    ...imageRoutes(state),
    ...articleRoutes(state),
  ];
  let listenUrl = '';

  const originOf = (req: IncomingMessage): string => {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.[\]:-]{1,255}$/.test(host) ? `http://${host}` : listenUrl;
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = originOf(req);
    const url = new URL(req.url ?? '/', origin);
    const ctx: RequestContext = { req, res, url, method: req.method ?? 'GET', origin, account: accountOf(req) };
    if (ctx.account) state.seen.add(ctx.account);
    const found = findRoute(routes, ctx.method, url.pathname);
    if (found) return found.route.handle(ctx, found.params);
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/__sandbox/')) throw new HttpError(404, { error: ERR.notFound });
    sendPage(ctx, 404, notFoundPage(ctx.account));
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    dispatch(req, res)
      .catch((error: unknown) => {
        if (shutdown.signal.aborted) {
          res.destroy();
          return;
        }
        if (error instanceof HttpError) return sendJson(res, error.status, error.body);
        log.error('request failed', { method: req.method, url: req.url, error: (error as Error).stack ?? String(error) });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 500, name: 'InternalError', message: '服务器开小差了' } });
        else res.destroy();
      })
      .finally(() => {
        log.debug('request', { method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3100, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  listenUrl = `http://${host}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    server,
    url: listenUrl,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await store.flush();
      })();
      return closing;
    },
  };
}
