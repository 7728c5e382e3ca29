/**
 * What counts as the other language on a screen, outside data (`translate="no"`): in the Chinese
 * UI (and the zpub CLI in Chinese), a run of three or more Latin-script words; in the English UI,
 * any Chinese character or full-width punctuation. Tests of the strings, the browser walk of every
 * page and the CLI tests share it.
 */

/**
 * Latin words that are names or units rather than English: brands (Zhihu, Markdown), formats,
 * protocol words and units. They neither count as words nor join words into a run.
 */
export const LATIN_NAMES: readonly string[] = [
  'zhihu',
  'cookie',
  'cookies',
  'markdown',
  'json',
  'http',
  'https',
  'api',
  'id',
  'url',
  'png',
  'jpeg',
  'gif',
  'webp',
  'ai',
  'b',
  'kb',
  'mb',
  'ms',
  's',
  'chromium',
  'get',
  'post',
  'put',
];

const WORD = /^[A-Za-z][A-Za-z'’-]*$/;
const EDGE = /^[\s"“”'‘’(（[【,，.。:：;；!！?？]+|[\s"“”'‘’)）\]】,，.。:：;；!！?？]+$/g;

function isLatinWord(token: string): boolean {
  const bare = token.replace(EDGE, '');
  return WORD.test(bare) && !LATIN_NAMES.includes(bare.replace(/['’]s$/, '').toLowerCase());
}

/** Every run of three or more Latin-script words in `text`, as it appears. */
export function latinSentences(text: string): string[] {
  const found: string[] = [];
  let run: string[] = [];
  const close = () => {
    if (run.length >= 3) found.push(run.join(' '));
    run = [];
  };
  for (const token of text.split(/\s+/)) {
    if (token !== '' && isLatinWord(token)) run.push(token);
    else close();
  }
  close();
  return found;
}

/** Chinese characters and full-width punctuation. */
export const HAN = /[\p{Script=Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/u;

/** Every stretch of Chinese in `text`, as it appears. */
export function hanRuns(text: string): string[] {
  return [...text.matchAll(new RegExp(`${HAN.source}+`, 'gu'))].map((m) => m[0]);
}
