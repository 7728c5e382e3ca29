/**
 * The server, as the CLI talks to it: the same tRPC client and router types as the SPA (queries
 * and mutations over HTTP, `task.onUpdate` over SSE), with the token as `Authorization: Bearer`.
 * Failures become CliErrors whose exit code says what kind of failure it was.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@zpub/server';
import { EventSource } from 'eventsource';
import { CliError, EXIT } from './errors';
import { t } from './i18n';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

export const USER_AGENT = 'zpub-cli/0.1';

export interface Server {
  url: string;
  api: Api;
  /** A plain request to the server with the token (image uploads). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export function connect(url: string, token: string): Server {
  const headers = { Authorization: `Bearer ${token}`, 'User-Agent': USER_AGENT };
  const withToken = (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...headers } });
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: `${url}/trpc`, EventSource, eventSourceOptions: () => ({ fetch: withToken }) }),
        false: httpLink({ url: `${url}/trpc`, headers: () => headers }),
      }),
    ],
  });
  return { url, api, fetch: (path, init) => withToken(`${url}${path}`, init) };
}

interface ErrorData {
  code?: string;
  appCode?: string | null;
  params?: Record<string, unknown> | null;
  retryAfterS?: number | null;
  httpStatus?: number;
}

export function errorData(err: unknown): ErrorData | null {
  if (!(err instanceof TRPCClientError)) return null;
  return (err.data as ErrorData | undefined) ?? null;
}

/** A refused or failed call as a CliError: a refused token, an unreachable server, or the server's own sentence. */
export function failure(err: unknown, server: string): CliError {
  if (err instanceof CliError) return err;
  const data = errorData(err);
  const message = err instanceof Error ? err.message : String(err);
  if (data?.code === 'UNAUTHORIZED') {
    return new CliError(t.tokenRefusedLogin(server), EXIT.auth);
  }
  if (data?.code === 'SERVICE_UNAVAILABLE') return new CliError(t.unavailable(server, message), EXIT.unreachable);
  if (!data) {
    // fetch wraps the socket's error (ECONNREFUSED, ENOTFOUND) a few causes deep.
    let deepest: unknown = err;
    while (deepest instanceof Error && deepest.cause instanceof Error) deepest = deepest.cause;
    const why = deepest instanceof Error ? deepest.message : message;
    return new CliError(t.unreachable(server, why), EXIT.unreachable);
  }
  // In English the server's own sentence; in Chinese what its codes and facts say.
  const refusal = { code: data.code ?? 'INTERNAL_SERVER_ERROR', appCode: data.appCode ?? null, params: data.params ?? {}, retryAfterS: data.retryAfterS ?? null };
  return new CliError(t.serverRefusal(refusal, message), EXIT.failed);
}
