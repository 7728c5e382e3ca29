import { ERROR_CATALOG, taskError, type ErrorCode, type TaskError } from '@zpub/shared';

/** What a person should do when the click happened but nothing proves the article live or not. */
export const UNCONFIRMED_HINT =
  "Check the account's articles on Zhihu to see whether it went out; a retry looks for it there first and does not publish it twice.";

/** Codes that say nothing about whether Zhihu took the article: after the click they leave it unknown. */
const UNKNOWN_OUTCOME: readonly ErrorCode[] = ['PUBLISH_TIMEOUT', 'BROWSER_CRASHED', 'INTERNAL'];

export function isUnknownOutcome(code: ErrorCode): boolean {
  return UNKNOWN_OUTCOME.includes(code);
}

/**
 * Why a publish attempt stopped. `retryable` comes from the error catalogue; `afterSubmit` marks
 * errors raised after the publishing click, which are never blindly repeated; `permanent` marks
 * one that trying again unchanged cannot mend although its code usually can (a column the account
 * does not have, an uploaded image that is gone). The message is what happened (`detail`)
 * followed by what to do: the catalogue's advice, or after the click, how to find out whether the
 * article went out.
 */
export class PublishError extends Error {
  override name = 'PublishError';
  readonly detail: string | undefined;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly afterSubmit = false,
    readonly permanent = false,
  ) {
    super(advise(code, detail, afterSubmit));
    this.detail = detail;
  }
  get retryable(): boolean {
    return ERROR_CATALOG[this.code].retryable && !this.afterSubmit && !this.permanent;
  }
  toTaskError(): TaskError {
    return { ...taskError(this.code, this.message), retryable: this.retryable };
  }
}

/** `detail` (what happened) and the advice for `code`, as one message a person can act on. */
export function advise(code: ErrorCode, detail?: string, afterSubmit = false): string {
  const hint = afterSubmit && isUnknownOutcome(code) ? UNCONFIRMED_HINT : ERROR_CATALOG[code].hint;
  if (!detail) return hint;
  return `${detail.replace(/[.。\s]+$/, '')}. ${hint}`;
}

/** This worker no longer owns the attempt (cancelled, or taken over by another worker). */
export class AttemptLost extends Error {
  override name = 'AttemptLost';
}
