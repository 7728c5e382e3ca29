import { NOTE_CODES, NOTE_EXAMPLES, noteParts, plainText, shownFacts, type Note, type Parts } from '@zpub/shared';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { hanRuns, latinSentences } from '@zpub/shared';
import { zhCN, type Messages } from './zh-CN';

const examples = NOTE_CODES.map((code) => ({ code, params: NOTE_EXAMPLES[code] }) as Note);
const words = (parts: Parts) => parts.filter((p): p is string => typeof p === 'string');
const data = (parts: Parts) => parts.flatMap((p) => (typeof p === 'string' ? [] : [p.data]));

/** Every text a table holds: strings as they are, functions called with sample values. */
function texts(node: unknown, path = ''): { path: string; words: string[] }[] {
  if (typeof node === 'string') return [{ path, words: [node] }];
  if (typeof node === 'function') {
    const out: unknown = (node as (...a: unknown[]) => unknown)('x1', 2, 3);
    if (typeof out === 'string') return [{ path, words: [out] }];
    return Array.isArray(out) ? [{ path, words: words(out as Parts) }] : [];
  }
  if (typeof node === 'object' && node !== null) return Object.entries(node).flatMap(([k, v]) => texts(v, `${path}.${k}`));
  return [];
}

describe.each([
  ['zh-CN', zhCN, (s: string) => latinSentences(s)],
  ['en', en, (s: string) => hanRuns(s)],
] as [string, Messages, (s: string) => string[]][])('%s', (_lang, messages, otherLanguage) => {
  it('says every note, with each of its facts as data', () => {
    expect(Object.keys(messages.note).sort()).toEqual([...NOTE_CODES].sort());
    for (const n of examples) {
      const parts = noteParts(n, messages.note);
      for (const fact of shownFacts(n.code, n.params)) expect(data(parts), `${n.code} shows ${fact}`).toContain(fact);
      expect(plainText(parts), n.code).not.toMatch(/undefined|\[object|NaN/);
    }
  });

  it('uses no other language in a note outside its data', () => {
    for (const n of examples) {
      for (const w of words(noteParts(n, messages.note))) expect(otherLanguage(w), `${n.code}: ${w}`).toEqual([]);
    }
  });

  it('uses no other language in any other string', () => {
    for (const { path, words: list } of texts({ ...messages, note: {} })) {
      for (const w of list) expect(otherLanguage(w), `${path}: ${w}`).toEqual([]);
    }
  });
});

describe('the language rule', () => {
  it('finds English sentences but not names, units, ids or addresses', () => {
    expect(latinSentences('由工作节点 worker-1 开始执行')).toEqual([]);
    expect(latinSentences('started by worker worker-1')).toEqual(['started by worker']);
    expect(latinSentences('知乎拒绝发布（HTTP 403）：Zhihu Cookie Markdown JSON')).toEqual([]);
    expect(latinSentences('https://zhuanlan.zhihu.com/p/1 c_1234 z_c0=...; d_c0=...')).toEqual([]);
    expect(latinSentences('“the public page says” published')).toEqual(['“the public page says” published']);
    expect(latinSentences("Zhihu's editor changed")).toEqual([]);
  });

  it('finds Chinese characters and full-width punctuation', () => {
    expect(hanRuns('Logged in as 张三（Zhihu）')).toEqual(['张三（', '）']);
    expect(hanRuns('Retry · 50%')).toEqual([]);
  });
});
