import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, taskError, taskErrorSchema } from './errors';
import { taskEventSchema } from './events';
import { NOTE_EXAMPLES, shownFacts } from './note-examples';
import { NOTE_CODES, NOTE_EN, knownNote, note, noteParts, noteText, plainText, time, tx, type Note } from './notes';

const examples = NOTE_CODES.map((code) => ({ code, params: NOTE_EXAMPLES[code] }) as Note);

describe('the note catalogue', () => {
  it('has an English text and an example for every code, and nothing else', () => {
    expect(Object.keys(NOTE_EN).sort()).toEqual([...NOTE_CODES].sort());
    expect(Object.keys(NOTE_EXAMPLES).sort()).toEqual([...NOTE_CODES].sort());
  });

  it('checks every example against its code', () => {
    for (const n of examples) expect(knownNote(n), n.code).toEqual(n);
  });

  it('puts every fact of a note into its English text, as data', () => {
    for (const n of examples) {
      const parts = noteParts(n, NOTE_EN);
      const data = parts.flatMap((p) => (typeof p === 'string' ? [] : [p.data]));
      for (const fact of shownFacts(n.code, n.params)) expect(data, `${n.code} shows ${fact}`).toContain(fact);
      expect(plainText(parts), n.code).not.toMatch(/undefined|\[object|NaN/);
    }
  });

  it('says optional facts only when they are there', () => {
    expect(noteText(note('topicRefused', { topic: '读书', status: 400, said: '话题不存在' }))).toBe('Zhihu did not take the topic "读书" (HTTP 400: 话题不存在)');
    expect(noteText(note('topicRefused', { topic: '读书', status: 400 }))).toBe('Zhihu did not take the topic "读书" (HTTP 400)');
    expect(noteText(note('refused', { said: '绑定手机', zhihuCode: 4031 }))).toBe('Zhihu refused to publish: "绑定手机" (4031)');
    expect(noteText(note('imagesHosted', { count: 1 }))).toBe("1 image on Zhihu's image host");
    expect(noteText(note('imagesHosted', { count: 0 }))).toBe("0 images on Zhihu's image host");
  });

  it('leaves a note this reader does not know to the caller (an older reader, a newer writer)', () => {
    expect(knownNote({ code: 'sentFromTheFuture', params: {} })).toBeNull();
    expect(knownNote({ code: 'loggedIn', params: { name: 3 } })).toBeNull();
    expect(knownNote({ code: 'toString', params: {} })).toBeNull();
    expect(knownNote('logged in as x')).toBeNull();
    expect(knownNote(undefined)).toBeNull();
    // Stored without its empty facts (MongoDB minimizes `{}` away).
    expect(knownNote({ code: 'publishClicked' })).toEqual({ code: 'publishClicked', params: {} });
    expect(knownNote({ code: 'loggedIn' })).toBeNull();
    // The wire schema keeps unknown notes, so relaying them loses nothing.
    expect(taskEventSchema.shape.note.safeParse({ code: 'sentFromTheFuture', params: { x: 1 } }).success).toBe(true);
  });
});

describe('texts made of words and data', () => {
  it('keeps interpolated values apart as data and nested texts as words', () => {
    expect(tx`a ${'b'} ${3}${tx` c ${'d'}`}${[]}`).toEqual(['a ', { data: 'b' }, ' ', { data: '3' }, ' c ', { data: 'd' }]);
    expect(tx`at ${time('2026-01-01T00:00:00Z')}`).toEqual(['at ', { data: '2026-01-01T00:00:00Z', time: true }]);
  });
});

describe('task errors', () => {
  it('carry what happened as a note and, in English, what happened then what to do', () => {
    const detail = note('loginHttp', { status: 401 });
    const error = taskError('LOGIN_EXPIRED', detail);
    expect(error).toEqual({ code: 'LOGIN_EXPIRED', retryable: false, detail, message: `Zhihu answered HTTP 401 to the login check. ${ERROR_CATALOG.LOGIN_EXPIRED.hint}` });
    expect(taskError('WORKER_LOST')).toEqual({ code: 'WORKER_LOST', retryable: false, message: ERROR_CATALOG.WORKER_LOST.hint });
    // Errors stored before notes existed have no detail and are still valid.
    expect(taskErrorSchema.safeParse({ code: 'INTERNAL', message: 'Unexpected error: x', retryable: true }).success).toBe(true);
  });
});
