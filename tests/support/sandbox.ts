/** The sandbox's test hooks over HTTP: what Zhihu would show, and faults on demand. */
export interface SandboxArticle {
  id: string;
  title: string;
  author: string;
  html: string;
  topics: string[];
  column: { id: string; title: string } | null;
  cover: string | null;
  statement: string;
  commentPermission: string;
  state: 'published';
  /** The first publish. */
  publishedAt: string;
  /** The latest publish. */
  updatedAt: string;
  /** Every version readers saw, oldest first. */
  versions: { title: string; html: string; publishedAt: string }[];
}

/** A draft holding what no reader has seen: never published, or changed since its article was. */
export interface SandboxDraft {
  id: string;
  title: string;
  author: string;
  html: string;
  topics: string[];
  cover: string | null;
  state: 'draft';
  /** Whether an older version of it is public. */
  published: boolean;
  updatedAt: string;
}

export type Layout = 'today' | 'legacy';
export const LAYOUTS: readonly Layout[] = ['today', 'legacy'];

export class SandboxClient {
  constructor(readonly url: string) {}

  async articles(author?: string): Promise<SandboxArticle[]> {
    const res = await fetch(`${this.url}/__sandbox/articles${author ? `?author=${encodeURIComponent(author)}` : ''}`);
    if (!res.ok) throw new Error(`sandbox articles: HTTP ${res.status}`);
    return (await res.json()) as SandboxArticle[];
  }

  async drafts(author?: string): Promise<SandboxDraft[]> {
    const res = await fetch(`${this.url}/__sandbox/articles?state=draft${author ? `&author=${encodeURIComponent(author)}` : ''}`);
    if (!res.ok) throw new Error(`sandbox drafts: HTTP ${res.status}`);
    return (await res.json()) as SandboxDraft[];
  }

  async fault(fault: { kind: string; times?: number; author?: string; ms?: number; publish?: boolean }): Promise<void> {
    const res = await fetch(`${this.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fault),
    });
    if (res.status !== 201) throw new Error(`sandbox fault: HTTP ${res.status} ${await res.text()}`);
  }

  async config(config: { delayMs?: number; layout?: Layout }): Promise<void> {
    const res = await fetch(`${this.url}/__sandbox/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) });
    if (!res.ok) throw new Error(`sandbox config: HTTP ${res.status}`);
  }

  /**
   * An article page as the account's own browser sees it: its login cookie plus the `__zse_ck`
   * Zhihu's check hands a browser (read from the check's page, as a scraper would).
   */
  async articlePage(url: string, account?: string): Promise<Response> {
    const check = await fetch(url);
    const token = /__zse_ck=' \+ "([0-9a-f]+)"/.exec(await check.text())?.[1];
    if (check.status !== 403 || !token) throw new Error(`no anti-crawler check at ${url}: HTTP ${check.status}`);
    return fetch(url, { headers: { cookie: [`__zse_ck=${token}`, ...(account ? [`z_c0=sandbox-${account}`] : [])].join('; ') } });
  }

  async reset(): Promise<void> {
    const res = await fetch(`${this.url}/__sandbox/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`sandbox reset: HTTP ${res.status}`);
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
