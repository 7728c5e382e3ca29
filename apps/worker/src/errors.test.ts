import { describe, expect, it } from 'vitest';
import { PublishError, advise } from './errors';
import { classify } from './jobs/publish';

const live = new AbortController().signal;

describe('error classification', () => {
  it('lets a retry help before the click and never after it', () => {
    expect(new PublishError('PUBLISH_TIMEOUT').toTaskError()).toMatchObject({ code: 'PUBLISH_TIMEOUT', retryable: true });
    expect(new PublishError('PUBLISH_TIMEOUT', 'no answer', true).toTaskError()).toMatchObject({ retryable: false });
    expect(new PublishError('LOGIN_EXPIRED').retryable).toBe(false);
  });

  it('names timeouts, crashes and network errors from puppeteer', () => {
    const timeout = Object.assign(new Error('Waiting for selector `textarea` failed: 15000ms exceeded'), { name: 'TimeoutError' });
    expect(classify(timeout, false, live)).toMatchObject({ code: 'PUBLISH_TIMEOUT', retryable: true });
    expect(classify(new Error('Protocol error (Page.navigate): Target closed'), false, live)).toMatchObject({ code: 'BROWSER_CRASHED', retryable: true });
    expect(classify(new Error('net::ERR_CONNECTION_REFUSED at http://127.0.0.1:3100/write'), false, live).code).toBe('PUBLISH_TIMEOUT');
    expect(classify(new Error('something odd'), false, live)).toMatchObject({ code: 'INTERNAL' });
    // After 确认发布 the same failures leave the outcome unknown: not retried blindly.
    expect(classify(new Error('Protocol error: Connection closed'), true, live)).toMatchObject({ code: 'BROWSER_CRASHED', retryable: false });
  });

  it('tells a person what happened and what to do', () => {
    expect(advise('CAPTCHA_REQUIRED', 'Zhihu answered 40352.')).toMatch(/^Zhihu answered 40352\. .*captcha/);
    expect(advise('BROWSER_CRASHED', 'The tab crashed', true)).toMatch(/does not publish it twice/);
  });
});

describe('permanent errors', () => {
  it('are not retried even when their code usually is', () => {
    expect(new PublishError('IMAGE_UPLOAD_FAILED', 'host down').retryable).toBe(true);
    expect(new PublishError('IMAGE_UPLOAD_FAILED', 'the uploaded image is gone', false, true).toTaskError()).toMatchObject({ code: 'IMAGE_UPLOAD_FAILED', retryable: false });
  });
});
