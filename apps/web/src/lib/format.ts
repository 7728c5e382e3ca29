/** Small display helpers shared by the pages. */
import { PAST_THE_CLICK, type TaskStatus } from '@zpub/shared';
import { t } from '../i18n';

export const CANCELLABLE: readonly TaskStatus[] = ['pending', 'queued', 'running'];

/** Whether a task can still be cancelled: not ended, and not past the click on 发布 (PAST_THE_CLICK). */
export function cancellable(task: { status: TaskStatus; stage: string }): boolean {
  return CANCELLABLE.includes(task.status) && !(PAST_THE_CLICK as readonly string[]).includes(task.stage);
}
export const RETRYABLE: readonly TaskStatus[] = ['failed', 'cancelled', 'unconfirmed'];
export const TERMINAL: readonly TaskStatus[] = ['success', 'failed', 'cancelled', 'unconfirmed'];

/** Only web URLs become links (a result URL comes from a worker; never trust a scheme). */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 5) return t.time.justNow;
  if (s < 60) return t.time.secondsAgo(s);
  if (s < 3600) return t.time.minutesAgo(Math.floor(s / 60));
  return t.time.hoursAgo(Math.floor(s / 3600));
}

/** Characters as people count them (a Chinese character or an emoji is one). */
export function charCount(s: string): number {
  return [...s].length;
}

export function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
