/**
 * The strings in use. Simplified Chinese unless `localStorage['zpub.lang']` is 'en'; switching
 * takes a reload (strings are plain values, not signals).
 */
import { en } from './en';
import { zhCN, type Messages } from './zh-CN';

export type { Messages };

function pick(): { lang: 'zh-CN' | 'en'; messages: Messages } {
  try {
    if (typeof localStorage !== 'undefined' && localStorage.getItem('zpub.lang') === 'en') return { lang: 'en', messages: en };
  } catch {
    // Storage can be disabled; Chinese is the default anyway.
  }
  return { lang: 'zh-CN', messages: zhCN };
}

const chosen = pick();
export const lang = chosen.lang;
export const t: Messages = chosen.messages;
