/**
 * The columns an account can publish to, read in its browser context from
 * `GET {www}/api/v4/members/<url_token>/column-contributions` (syaning/zhihu-api lib/api/user.js;
 * a 2025 API doc lists it too). Zhihu pages it 20 at a time.
 */
import type { ColumnView } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PATHS } from './selectors';
import { STEP_TIMEOUT, type Origins } from './session';

const MAX_PAGES = 5;

export class ColumnsUnreadable extends Error {
  override name = 'ColumnsUnreadable';
}

/** One page of the answer: `{ data: [{ column: { id, title } }], paging: { is_end } }`. */
export function parseColumns(text: string): { columns: ColumnView[]; end: boolean } {
  let body: { data?: unknown; paging?: { is_end?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new ColumnsUnreadable('not JSON');
  }
  if (!Array.isArray(body.data)) throw new ColumnsUnreadable('no data list');
  const columns = (body.data as { column?: { id?: unknown; title?: unknown } }[]).flatMap((item) => {
    const c = item.column;
    return c && typeof c.id === 'string' && c.id && typeof c.title === 'string' ? [{ id: c.id, title: c.title }] : [];
  });
  return { columns, end: body.paging?.is_end !== false || body.data.length === 0 };
}

export async function readColumns(page: Page, origins: Origins, urlToken: string): Promise<ColumnView[]> {
  const all: ColumnView[] = [];
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = await page.goto(origins.www + PATHS.memberColumns(urlToken, i * 20), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
    if (!res?.ok()) throw new ColumnsUnreadable(res ? `HTTP ${res.status()}` : 'no answer');
    const { columns, end } = parseColumns(await res.text());
    all.push(...columns);
    if (end) break;
  }
  return all;
}
