import { z } from 'zod';

/**
 * Why a task did not succeed. `retryable` says whether trying again, unchanged, can help;
 * `hint` tells a person what to do (the SPA shows its own Chinese text per code).
 */
export const ERROR_CATALOG = {
  LOGIN_EXPIRED: {
    retryable: false,
    hint: 'The Zhihu login of this account has expired. Paste fresh cookies for the account, then retry.',
  },
  CAPTCHA_REQUIRED: {
    retryable: false,
    hint: 'Zhihu asks this account to solve a captcha (40352). Open Zhihu in a browser with this account, pass the check, then retry.',
  },
  RISK_CONTROL: {
    retryable: false,
    hint: 'Zhihu limited this account (40362). Wait before publishing again; check the account on Zhihu.',
  },
  PHONE_BINDING_REQUIRED: {
    retryable: false,
    hint: 'Zhihu requires a bound phone number before publishing (4031). Bind one on Zhihu, then retry.',
  },
  TOPIC_REQUIRED: {
    retryable: false,
    hint: 'Zhihu requires at least one topic for this article. Add a topic, then retry.',
  },
  TITLE_TOO_LONG: {
    retryable: false,
    hint: 'Zhihu accepts titles of at most 100 characters. Shorten the title.',
  },
  EDITOR_CHANGED: {
    retryable: false,
    hint: "Zhihu's editor changed and an element the publisher needs is missing. The publisher needs an update.",
  },
  PUBLISH_REJECTED: {
    retryable: true,
    hint: 'Zhihu showed an error when publishing. The publisher retries a few times by itself; if it still fails, check the article and the account on Zhihu, then retry.',
  },
  PUBLISH_TIMEOUT: {
    retryable: true,
    hint: 'Zhihu did not answer in time. The publisher retries a few times by itself; if it still fails, check that Zhihu is reachable, then retry.',
  },
  BROWSER_CRASHED: {
    retryable: true,
    hint: 'The browser tab crashed. The publisher retries a few times by itself; if it keeps crashing, make the article lighter (fewer or smaller images), then retry.',
  },
  WORKER_LOST: {
    retryable: false,
    hint: 'The worker running this task stopped responding too many times. Check the article content, then retry.',
  },
  IMAGE_UPLOAD_FAILED: {
    retryable: true,
    hint: 'An image of the article could not be uploaded to Zhihu; nothing was published. The publisher retries a few times by itself; if it still fails, check that the image opens, then retry.',
  },
  RATE_LIMITED: {
    retryable: true,
    hint: 'Too many tasks in a short time. Wait and try again.',
  },
  ARTICLE_NOT_FOUND: {
    retryable: false,
    hint: 'The Zhihu article to update does not exist, or it belongs to another Zhihu account; nothing was changed. Check the article id (the digits at the end of its address) and the account, then submit again.',
  },
  ACCOUNT_NOT_FOUND: {
    retryable: false,
    hint: 'The account of this task was removed. Add the account again, then retry.',
  },
  INTERNAL: {
    retryable: true,
    hint: 'An unexpected error. The publisher retries a few times by itself; if it still fails, tell the operators.',
  },
} as const satisfies Record<string, { retryable: boolean; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = z.enum(ERROR_CODES);

export const taskErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  retryable: z.boolean(),
});
export type TaskError = z.infer<typeof taskErrorSchema>;

export function taskError(code: ErrorCode, message?: string): TaskError {
  return { code, message: message ?? ERROR_CATALOG[code].hint, retryable: ERROR_CATALOG[code].retryable };
}
