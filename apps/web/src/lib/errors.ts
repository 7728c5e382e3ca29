/**
 * Turns whatever a call threw into the reader's language: one message for the whole failure plus
 * one per field. Only codes are read (tRPC's code, the app code with its params, zod's issue
 * codes and limits); the server's English text is never shown.
 */
import { LIMITS, type InputIssue, type TaskStatus } from '@zpub/shared';
import { t } from '../i18n';

export interface Problem {
  /** What went wrong, as a whole. */
  message: string;
  /** Per field: what is wrong with it. */
  fields: Record<string, string>;
  code: string | null;
  appCode: string | null;
  retryAfterS: number | null;
}

interface ErrorData {
  code?: unknown;
  path?: unknown;
  issues?: unknown;
  appCode?: unknown;
  retryAfterS?: unknown;
  params?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function dataOf(err: unknown): ErrorData | null {
  if (!isRecord(err)) return null;
  const data = err.data;
  return isRecord(data) ? (data as ErrorData) : null;
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `CONFLICT`, …), if it has one. */
export function errorCode(err: unknown): string | null {
  const code = dataOf(err)?.code;
  return typeof code === 'string' ? code : null;
}

export function isUnauthorized(err: unknown): boolean {
  return errorCode(err) === 'UNAUTHORIZED';
}

const VERBS = { cancel: 'verbCancel', retry: 'verbRetry', remove: 'verbRemove', reschedule: 'verbReschedule' } as const;

/** "It is <status>; cannot <action>", for a task in the wrong state. */
export function wrongState(action: unknown, status: unknown): string {
  const verb = typeof action === 'string' && action in VERBS ? t.tasks[VERBS[action as keyof typeof VERBS]] : t.api.conflict;
  const name = typeof status === 'string' && status in t.status ? t.status[status as TaskStatus] : '';
  return name ? t.tasks.cannot(verb, name) : t.api.conflict;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** What one issue says is wrong with its field, without the field's name. */
function issueText(i: InputIssue): string {
  const reason = i.params?.reason;
  const max = num(i.params?.maximum ?? i.maximum);
  switch (i.code) {
    case 'too_small':
      if (i.origin === 'string') return num(i.minimum) <= 1 ? t.issue.required : t.issue.tooShort(num(i.minimum));
      return i.origin === 'array' ? t.issue.tooFew(num(i.minimum)) : t.issue.invalid;
    case 'too_big':
      if (i.origin === 'string') return t.issue.tooLong(max);
      return i.origin === 'array' ? t.issue.tooMany(max) : t.issue.invalid;
    case 'invalid_format':
      return i.format === 'email' ? t.issue.email : i.format === 'datetime' ? t.issue.datetime : t.issue.format;
    case 'invalid_value':
      return t.issue.choice;
    case 'invalid_type':
      return t.issue.type;
    case 'unrecognized_keys':
      return t.issue.unknownKeys;
    case 'custom':
      if (reason === 'empty') return t.issue.required;
      if (reason === 'tooLong') return t.issue.tooLongChars(max);
      if (reason === 'tooLarge') return t.issue.tooLarge(max);
      if (reason === 'tooFar') return t.issue.tooFar;
      if (reason === 'notAnImage') return t.issue.notAnImage;
      return t.issue.invalid;
    default:
      return t.issue.invalid;
  }
}

/** Why an update cannot be submitted now: the article is in it twice, being submitted, or being updated by a task. */
function busyText(params: Record<string, unknown>): string | null {
  const id = typeof params.articleId === 'string' ? params.articleId : null;
  if (id === null) return null;
  if (params.reason === 'twice') return t.api.busyTwice(id);
  if (params.reason === 'racing') return t.api.busyRacing(id);
  if (params.reason === 'updating' && typeof params.taskId === 'string') {
    const status = typeof params.status === 'string' && params.status in t.status ? t.status[params.status as TaskStatus] : '';
    return t.api.busyUpdating(id, params.taskId, status);
  }
  return null;
}

/** A refusal of the article checks (a column the account lacks, an image never uploaded, an article busy), said in full. */
export function articleProblemText(code: string, field: string, params: Record<string, unknown>): string | null {
  if (code === 'ARTICLE_BUSY') return busyText(params);
  if (code === 'INVALID_COLUMN' && typeof params.column === 'string') {
    const columns = Array.isArray(params.columns) ? params.columns.filter(isRecord) : [];
    if (columns.length === 0) return t.issue.noColumns(params.column);
    const listed = columns.map((c) => t.issue.columnEntry(String(c.id ?? ''), String(c.title ?? ''))).join(t.issue.listSeparator);
    return t.issue.column(params.column, listed);
  }
  if (code === 'UNKNOWN_IMAGE') {
    const images = strings(params.images);
    if (field === 'cover' && images[0]) return t.issue.unknownCover(images[0]);
    if (images.length > 0) return t.issue.unknownBodyImages(images.join(t.issue.listSeparator));
  }
  return null;
}

function fieldName(name: string): string {
  return t.field[name] ?? name;
}

/** One text per field the server named (the first issue of each), in the reader's language. */
function fieldProblems(data: ErrorData): Record<string, string> {
  const fields: Record<string, string> = {};
  const issues = Array.isArray(data.issues) ? (data.issues as InputIssue[]) : [];
  for (const issue of issues) {
    const name = issue.path.split('.')[0] ?? '';
    if (!name || name in fields) continue;
    // A check of the server's own names its app code as the reason, with its facts.
    const reason = typeof issue.params?.reason === 'string' ? issue.params.reason : null;
    const own = reason ? (articleProblemText(reason, name, issue.params ?? {}) ?? entry(BY_APP_CODE, reason)?.({ params: issue.params ?? {}, retryAfterS: null, path: '' })) : undefined;
    fields[name] = own ?? t.api.fieldProblem(fieldName(name), issueText(issue));
  }
  return fields;
}

type Say = (facts: { params: Record<string, unknown>; retryAfterS: number | null; path: string }) => string;

const entry = (table: Record<string, Say>, key: string | null): Say | undefined => (key !== null && Object.hasOwn(table, key) ? table[key] : undefined);

/** What each app code says (the server's `data.appCode`, with its `data.params`). */
const BY_APP_CODE: Record<string, Say> = {
  RATE_LIMITED: (f) => t.api.tooMany(f.retryAfterS),
  TASK_STATE: (f) => wrongState(f.params.action, f.params.status),
  TASK_PAST_CLICK: () => t.tasks.pastClick,
  EMAIL_TAKEN: () => t.auth.emailTaken,
  WRONG_CREDENTIALS: () => t.auth.wrongCredentials,
  WRONG_PASSWORD: () => t.api.wrongPassword,
  COOKIES_INVALID: () => t.accounts.cookieInvalid,
  CHECK_PENDING: () => t.accounts.checkPending,
  CHECK_UNDECIDED: () => t.accounts.checkUndecided,
  ARTICLE_BUSY: (f) => busyText(f.params) ?? t.rejection.ARTICLE_BUSY,
  TOO_MANY_TOKENS: () => t.tokens.tooMany(LIMITS.tokensMax),
  SESSION_REQUIRED: () => t.api.sessionRequired,
};

/** What each tRPC code says when no app code says more; `path` names the procedure. */
const BY_CODE: Record<string, Say> = {
  UNAUTHORIZED: () => t.api.unauthorized,
  FORBIDDEN: () => t.api.forbidden,
  NOT_FOUND: (f) =>
    f.path.startsWith('task.') ? t.api.taskNotFound : f.path.startsWith('account.') ? t.api.accountNotFound : f.path.startsWith('token.') ? t.api.tokenNotFound : t.api.notFound,
  CONFLICT: () => t.api.conflict,
  TOO_MANY_REQUESTS: (f) => t.api.tooMany(f.retryAfterS),
  BAD_REQUEST: () => t.api.badRequest,
  PAYLOAD_TOO_LARGE: () => t.api.tooLarge,
  SERVICE_UNAVAILABLE: () => t.api.unavailable,
  INTERNAL_SERVER_ERROR: () => t.api.internal,
};

export function describeError(err: unknown): Problem {
  const data = dataOf(err);
  if (!data) {
    // No tRPC envelope at all: the request never reached the server (or the answer was not ours).
    return { message: t.api.network, fields: {}, code: null, appCode: null, retryAfterS: null };
  }
  const code = typeof data.code === 'string' ? data.code : null;
  const appCode = typeof data.appCode === 'string' ? data.appCode : null;
  const retryAfterS = typeof data.retryAfterS === 'number' ? data.retryAfterS : null;
  const fields = fieldProblems(data);
  const named = Object.values(fields);
  const facts = { params: isRecord(data.params) ? data.params : {}, retryAfterS, path: typeof data.path === 'string' ? data.path : '' };
  const say = entry(BY_APP_CODE, appCode) ?? entry(BY_CODE, code);
  const message = named.length > 0 ? named.join(t.api.joinProblems) : say ? say(facts) : t.api.unknown;
  return { message, fields, code, appCode, retryAfterS };
}
