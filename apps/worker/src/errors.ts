import { ERROR_CATALOG, taskError, type ErrorCode, type TaskError } from '@zpub/shared';

/**
 * Why a publish attempt stopped. `retryable` comes from the error catalogue; `afterSubmit` marks
 * errors raised after 确认发布 was clicked, which are never blindly repeated.
 */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly afterSubmit = false,
  ) {
    super(message ?? ERROR_CATALOG[code].hint);
  }
  get retryable(): boolean {
    return ERROR_CATALOG[this.code].retryable && !this.afterSubmit;
  }
  toTaskError(): TaskError {
    return { ...taskError(this.code, this.message), retryable: this.retryable };
  }
}

/** This worker no longer owns the attempt (cancelled, or taken over by another worker). */
export class AttemptLost extends Error {
  override name = 'AttemptLost';
}
