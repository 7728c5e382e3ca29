import { ERROR_CATALOG, UNCONFIRMED_HINT, withHint, type ErrorCode, type Note, type TaskError } from '@zpub/shared';

export { UNCONFIRMED_HINT } from '@zpub/shared';

/** Codes that say nothing about whether Zhihu took the article: after the click they leave it unknown. */
const UNKNOWN_OUTCOME: readonly ErrorCode[] = ['PUBLISH_TIMEOUT', 'BROWSER_CRASHED', 'INTERNAL'];

export function isUnknownOutcome(code: ErrorCode): boolean {
  return UNKNOWN_OUTCOME.includes(code);
}

/**
 * Why a publish attempt stopped. `retryable` comes from the error catalogue; `afterSubmit` marks
 * errors raised after the publishing click, which are never blindly repeated; `permanent` marks
 * one that trying again unchanged cannot mend although its code usually can (a column the account
 * does not have, an uploaded image that is gone). `detail` is what happened, as a note each reader
 * gets in their language; the message is its English text followed by what to do: the
 * catalogue's advice, or after the click, how to find out whether the article went out.
 */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    readonly code: ErrorCode,
    readonly detail?: Note,
    readonly afterSubmit = false,
    readonly permanent = false,
  ) {
    super(advise(code, detail, afterSubmit));
  }
  get retryable(): boolean {
    return ERROR_CATALOG[this.code].retryable && !this.afterSubmit && !this.permanent;
  }
  toTaskError(): TaskError {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** `detail` (what happened) and the advice for `code`, as one English message a person can act on. */
export function advise(code: ErrorCode, detail?: Note, afterSubmit = false): string {
  return withHint(afterSubmit && isUnknownOutcome(code) ? UNCONFIRMED_HINT : ERROR_CATALOG[code].hint, detail);
}

/** This worker no longer owns the attempt (cancelled, or taken over by another worker). */
export class AttemptLost extends Error {
  override name = 'AttemptLost';
}
