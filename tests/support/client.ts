/**
 * A signed-in user of the API, as a Node program sees it: a cookie jar, the tRPC client the SPA
 * uses (HTTP for queries and mutations, SSE for the subscription), and an event recorder.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@zpub/server';
import type { TaskEvent } from '@zpub/shared';
import { EventSource } from 'eventsource';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

export class User {
  cookie = '';
  readonly api: Api;

  /** `origin` is sent like a browser on the app's page would; null sends none (a script). */
  constructor(
    readonly baseUrl: string,
    readonly origin: string | null = baseUrl,
  ) {
    const jarFetch = (input: string | URL | Request, init?: RequestInit) => this.fetch(input, init);
    this.api = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({
            url: `${baseUrl}/trpc`,
            EventSource,
            eventSourceOptions: () => ({ fetch: jarFetch }),
          }),
          false: httpLink({ url: `${baseUrl}/trpc`, fetch: jarFetch }),
        }),
      ],
    });
  }

  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    if (this.cookie) headers.set('Cookie', this.cookie);
    if (this.origin) headers.set('Origin', this.origin);
    const res = await fetch(input, { ...init, headers });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (!pair) continue;
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      const others = this.cookie
        .split('; ')
        .filter((p) => p && !p.startsWith(`${name}=`));
      this.cookie = [...others, ...(value ? [`${name}=${value}`] : [])].join('; ');
    }
    return res;
  }

  static async register(baseUrl: string, email = `u${Date.now()}${Math.random().toString(36).slice(2, 7)}@example.com`, password = 'correct horse battery'): Promise<User> {
    const user = new User(baseUrl);
    await user.api.auth.register.mutate({ email, password });
    return user;
  }

  async sandboxAccount(name = `acct${Math.random().toString(36).slice(2, 8)}`): Promise<{ id: string; name: string }> {
    const account = await this.api.account.create.mutate({ platform: 'sandbox', name, cookies: `z_c0=sandbox-${name}` });
    return { id: account.id, name };
  }

  /** Uploads an image as the SPA and the CLI do (`POST /assets`); returns how Markdown names it. */
  async uploadImage(bytes: Buffer): Promise<string> {
    const res = await this.fetch(`${this.baseUrl}/assets`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
    const body = (await res.json()) as { url?: string };
    if (!res.ok || !body.url) throw new Error(`upload refused: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.url;
  }

  /** Records every event of this user from now (or after `lastEventId`) until `stop()`. */
  record(lastEventId?: string): Recorder {
    return new Recorder(this.api, lastEventId);
  }
}

export class Recorder {
  readonly events: TaskEvent[] = [];
  readonly started: Promise<void>;
  private readonly sub: { unsubscribe(): void };
  private waiters: (() => void)[] = [];

  constructor(api: Api, lastEventId?: string) {
    let resolveStarted: () => void = () => undefined;
    this.started = new Promise((r) => (resolveStarted = r));
    this.sub = api.task.onUpdate.subscribe(lastEventId ? { lastEventId } : undefined, {
      onStarted: () => resolveStarted(),
      onData: (tracked) => {
        this.events.push(tracked.data);
        for (const w of this.waiters) w();
      },
      onError: () => undefined,
    });
  }

  get lastId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  of(taskId: string): TaskEvent[] {
    return this.events.filter((e) => e.taskId === taskId);
  }

  /** Waits until `predicate` holds over the recorded events. */
  async until(predicate: (events: TaskEvent[]) => boolean, timeoutMs = 90_000, what = 'events'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}; got ${this.events.length} events: ${summarize(this.events)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

function summarize(events: TaskEvent[]): string {
  return events
    .slice(-15)
    .map((e) => `${e.taskId.slice(-4)}:${e.status}/${e.stage}${e.error ? `(${e.error.code})` : ''}`)
    .join(', ');
}

/** The code a refused call carries: tRPC's (BAD_REQUEST…) and ours (RATE_LIMITED…). */
export function refusal(err: unknown): { code: string; appCode: string | null; message: string; status: number } {
  if (!(err instanceof TRPCClientError)) throw err;
  const data = err.data as { code?: string; appCode?: string | null; httpStatus?: number } | undefined;
  return { code: data?.code ?? 'UNKNOWN', appCode: data?.appCode ?? null, message: err.message, status: data?.httpStatus ?? 0 };
}

export async function expectRefusal(p: Promise<unknown>): Promise<ReturnType<typeof refusal>> {
  try {
    await p;
  } catch (err) {
    return refusal(err);
  }
  throw new Error('Expected the call to be refused, but it succeeded');
}

/** A program holding a personal API token: every request carries it, and no cookie. */
export class TokenHolder extends User {
  constructor(
    baseUrl: string,
    public token: string,
    origin: string | null = null,
  ) {
    super(baseUrl, origin);
  }

  override fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${this.token}`);
    return super.fetch(input, { ...init, headers });
  }
}
