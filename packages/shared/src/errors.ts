import { z } from 'zod';
import { knownNote, noteSchema, noteText, type Note } from './notes';

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
  /** In English: what happened, then what to do. For logs and clients that do not know the codes. */
  message: z.string(),
  retryable: z.boolean(),
  /**
   * What happened, as a note (notes.ts) each reader says in their language; what to do follows
   * from `code`. Absent on errors stored before notes existed, and when the code says it all.
   */
  detail: noteSchema.optional(),
});
export type TaskError = z.infer<typeof taskErrorSchema>;

/** What happened (`detail`) followed by `hint`, as one English line. */
export function withHint(hint: string, detail?: Note): string {
  if (!detail) return hint;
  return `${noteText(detail).replace(/[.。\s]+$/, '')}. ${hint}`;
}

/** What a person should do when the click happened but nothing proves the article live or not. */
export const UNCONFIRMED_HINT =
  "Check the account's articles on Zhihu to see whether it went out; a retry looks for it there first and does not publish it twice.";

/**
 * A task's error in English, said again from its note (what happened) and what its end calls for
 * (an unconfirmed task: how to find out; else the code's advice). For terminals and logs of
 * clients; an error stored before notes existed has only its `message`.
 */
export function taskErrorText(error: TaskError, unconfirmed = false): string {
  const detail = knownNote(error.detail);
  if (!detail) return error.message;
  return withHint(unconfirmed ? UNCONFIRMED_HINT : ERROR_CATALOG[error.code].hint, detail);
}

/** An unconfirmed end in English: why, then how to find out (a draft's note says that itself). */
export function unconfirmedText(why: Note): string {
  return why.code === 'unconfirmedDraft' ? noteText(why) : withHint(UNCONFIRMED_HINT, why);
}

export function taskError(code: ErrorCode, detail?: Note): TaskError {
  const base = { code, message: withHint(ERROR_CATALOG[code].hint, detail), retryable: ERROR_CATALOG[code].retryable };
  return detail ? { ...base, detail } : base;
}
