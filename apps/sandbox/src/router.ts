import type { RequestContext } from './context.js';

// A route table instead of one long if-chain: each route names its method and path (a string, or
// a pattern whose groups become the handler's parameters), and the first match answers.

export type Handler = (ctx: RequestContext, params: string[]) => Promise<void> | void;

export interface Route {
  method: string;
  path: string | RegExp;
  handle: Handler;
}

/** Zhihu article ids: 15-20 digits, always kept as strings. */
export const ARTICLE_ID = '(\\d{15,20})';

export function route(method: string, path: string | RegExp, handle: Handler): Route {
  return { method, path, handle };
}

export function findRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | null {
  for (const r of routes) {
    if (r.method !== method) continue;
    if (typeof r.path === 'string') {
      if (r.path === path) return { route: r, params: [] };
      continue;
    }
    const m = r.path.exec(path);
    if (m) return { route: r, params: m.slice(1).map((p) => p ?? '') };
  }
  return null;
}
