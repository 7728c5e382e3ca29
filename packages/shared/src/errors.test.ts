import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, taskError, taskErrorText, UNCONFIRMED_HINT, unconfirmedText } from './errors';
import { note } from './notes';

describe('a task error said again in English from its note (the CLI)', () => {
  it('says what happened, then what to do for its code or for an unconfirmed end', () => {
    const error = taskError('ARTICLE_NOT_FOUND', note('articleMissing', { articleId: '1234567890123456789' }));
    // The stored message is dropped: the text comes from the note and the code alone.
    const said = taskErrorText({ ...error, message: 'stale' });
    expect(said).toBe(`Zhihu has no article 1234567890123456789 for this account to edit (its editor answered 404). ${ERROR_CATALOG.ARTICLE_NOT_FOUND.hint}`);
    const timeout = taskError('PUBLISH_TIMEOUT', note('timedOut', { cause: 'Navigation timeout of 15000 ms exceeded' }));
    expect(taskErrorText(timeout, true)).toMatch(/Navigation timeout of 15000 ms exceeded.*\. Check the account's articles on Zhihu/);
    expect(taskErrorText(timeout, true)).toContain(UNCONFIRMED_HINT);
  });

  it('keeps the message of an error stored before notes existed, or whose note this reader does not know', () => {
    expect(taskErrorText({ code: 'INTERNAL', message: 'Unexpected error: boom', retryable: true })).toBe('Unexpected error: boom');
    expect(taskErrorText({ code: 'INTERNAL', message: 'from a newer writer', retryable: true, detail: { code: 'notYetInvented', params: {} } })).toBe('from a newer writer');
  });

  it('an unconfirmed draft says itself what to check; an unconfirmed publish adds how to find out', () => {
    expect(unconfirmedText(note('unconfirmedDraft', { path: '/p/1/edit' }))).not.toContain(UNCONFIRMED_HINT);
    expect(unconfirmedText(note('unconfirmedNotPublished', { update: true }))).toBe(
      `The article page opened but, opened in the account's session, it does not show the new title and body. ${UNCONFIRMED_HINT}`,
    );
  });
});
