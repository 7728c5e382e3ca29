/**
 * Turns whatever a call threw into Chinese a person can act on: one message for the whole
 * failure plus one per field the server (or zod on the server) named.
 */
import { t } from '../i18n';

export interface Problem {
  /** What went wrong, as a whole. */
  message: string;
  /** Per field: what is wrong with it (already translated where we know the text). */
  fields: Record<string, string>;
  code: string | null;
  appCode: string | null;
  retryAfterS: number | null;
}

interface ErrorData {
  code?: unknown;
  httpStatus?: unknown;
  zodError?: { formErrors?: unknown; fieldErrors?: unknown } | null;
  appCode?: unknown;
  retryAfterS?: unknown;
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

// The shared zod schemas speak English; these are the texts they use, in Chinese.
const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Enter a valid email address$/i, () => '请输入有效的邮箱地址'],
  [/^Password must be at least (\d+) characters$/i, (m) => `密码至少 ${m[1]} 个字符`],
  [/^Password must be at most (\d+) characters$/i, (m) => `密码最多 ${m[1]} 个字符`],
  [/^Email must be at most (\d+) characters$/i, (m) => `邮箱最多 ${m[1]} 个字符`],
  [/^Give the account a name$/i, () => '请填写账号名称'],
  [/^Account name must be at most (\d+) characters$/i, (m) => `账号名称最多 ${m[1]} 个字`],
  [/^Paste the cookies of the account$/i, () => '请粘贴该账号的 Cookie'],
  [/^Cookies must be at most (\d+) bytes$/i, (m) => `Cookie 最多 ${m[1]} 字节`],
  [/^Title is empty$/i, () => '标题为空'],
  [/^Title must be at most (\d+) characters/i, (m) => `标题最多 ${m[1]} 个字（知乎的限制）`],
  [/^Body is empty$/i, () => '正文为空'],
  [/^Body must be at most (\d+) bytes$/i, (m) => `正文最多 ${m[1]} 字节`],
  [/^At most (\d+) topics/i, (m) => `话题最多 ${m[1]} 个（知乎的限制）`],
  [/^A topic is empty$/i, () => '话题不能为空'],
  [/^A topic must be at most (\d+) characters$/i, (m) => `每个话题最多 ${m[1]} 个字`],
  [/^scheduledAt must be within a year$/i, () => '定时发布时间需在一年以内'],
  [/^scheduledAt must be an ISO 8601/i, () => '定时发布时间格式无效'],
  [/^Expected a 24-character hexadecimal id$/i, () => 'ID 格式无效'],
  [/^"(.+)" is not one of this account's columns: (.+)\. If the column is new/, (m) => `“${m[1]}” 不是该账号的专栏（该账号的专栏：${m[2]}）；若是新建的专栏，请在“账号”页重新验证登录`],
  [/^This account has no columns on Zhihu/, () => '该账号在知乎上没有专栏（以最近一次验证登录为准）：请不选专栏，或在知乎创建专栏后重新验证登录'],
  [/^A column is named by its id/, () => '请填写专栏 ID（专栏地址的最后一段，例如 c_1234567890）'],
  [/^the body names (?:an image|images) you never uploaded: (.+); upload/, (m) => `正文引用了未上传的图片：${m[1]}。请重新粘贴或拖入这些图片`],
  [/^(\/assets\/\S+) is not an image you uploaded/, (m) => `封面 ${m[1]} 不是你上传过的图片，请重新上传封面`],
  [/^Expected an http\(s\) image address or an uploaded image/, () => t.rejection.INVALID_COVER],
  [/^An image address must be at most (\d+) characters$/, (m) => `图片地址最多 ${m[1]} 个字符`],
  [/^Invalid option: expected one of/, () => '取值无效'],
  [/^The batch is empty$/i, () => '这一批没有文章'],
  [/^A batch holds at most (\d+) articles$/i, (m) => `一批最多 ${m[1]} 篇`],
  [/^Select at least one task$/i, () => '请至少选择一个任务'],
  [/^Wrong email or password$/i, () => t.auth.wrongCredentials],
  [/^An account with this email already exists/i, () => t.auth.emailTaken],
  [/^Sign in first$/i, () => t.api.unauthorized],
  [/^No such task$/i, () => '找不到该任务'],
  [/^No such account$/i, () => '找不到该账号，可能已被删除'],
  [/^No such token$/i, () => '找不到该令牌，可能已被撤销'],
  [/^Give the token a name/i, () => t.tokens.nameRequired],
  [/^The current password is wrong$/i, () => '当前密码错误'],
  [/^Cannot (cancel|retry|reschedule) a task that is (\w+)/i, (m) => cannotMessage(m[1] ?? '', m[2] ?? '')],
  [/no z_c0/i, () => t.accounts.cookieNoLogin],
  [/temporarily unavailable/i, () => t.api.unavailable],
];

const VERBS: Record<string, string> = { cancel: '取消', retry: '重试', reschedule: '修改定时' };

function cannotMessage(verb: string, status: string): string {
  const statusName = (t.status as Record<string, string>)[status] ?? status;
  return t.tasks.cannot(VERBS[verb.toLowerCase()] ?? verb, statusName);
}

/** A server text in Chinese when we know it; otherwise the text itself (better than nothing). */
export function translateServerText(text: string): string {
  for (const [re, fn] of PATTERNS) {
    const m = re.exec(text.trim());
    if (m) return fn(m);
  }
  return text;
}

function messageFor(code: string | null, retryAfterS: number | null, serverMessage: string): string {
  switch (code) {
    case 'UNAUTHORIZED':
      return serverMessage === 'Sign in first' || serverMessage === '' ? t.api.unauthorized : translateServerText(serverMessage);
    case 'FORBIDDEN':
      return t.api.forbidden;
    case 'NOT_FOUND':
      return translateServerText(serverMessage) === serverMessage ? t.api.notFound : translateServerText(serverMessage);
    case 'CONFLICT':
      return translateServerText(serverMessage) === serverMessage ? t.api.conflict : translateServerText(serverMessage);
    case 'TOO_MANY_REQUESTS':
      return t.api.tooMany(retryAfterS);
    case 'BAD_REQUEST':
      return translateServerText(serverMessage) === serverMessage ? t.api.badRequest : translateServerText(serverMessage);
    case 'PAYLOAD_TOO_LARGE':
      return t.api.tooLarge;
    case 'SERVICE_UNAVAILABLE':
      return t.api.unavailable;
    case 'INTERNAL_SERVER_ERROR':
      return t.api.internal;
    default:
      return t.api.unknown;
  }
}

export function describeError(err: unknown): Problem {
  const data = dataOf(err);
  const code = typeof data?.code === 'string' ? data.code : null;
  const appCode = typeof data?.appCode === 'string' ? data.appCode : null;
  const retryAfterS = typeof data?.retryAfterS === 'number' ? data.retryAfterS : null;
  const serverMessage = isRecord(err) && typeof err.message === 'string' ? err.message : '';
  const fields: Record<string, string> = {};
  const fieldErrors = data?.zodError?.fieldErrors;
  if (isRecord(fieldErrors)) {
    for (const [name, list] of Object.entries(fieldErrors)) {
      if (Array.isArray(list) && typeof list[0] === 'string') fields[name] = translateServerText(list[0]);
    }
  }
  if (!data) {
    // No tRPC envelope at all: the request never reached the server (or the answer was not ours).
    return { message: t.api.network, fields, code: null, appCode: null, retryAfterS: null };
  }
  let message = appCode === 'RATE_LIMITED' ? t.api.tooMany(retryAfterS) : messageFor(code, retryAfterS, serverMessage);
  const named = Object.entries(fields);
  if (named.length > 0) {
    message = named.map(([name, text]) => `${t.field[name] ?? name}：${text}`).join('；');
  }
  return { message, fields, code, appCode, retryAfterS };
}
