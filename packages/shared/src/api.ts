import { z } from 'zod';
import { errorCodeSchema, taskErrorSchema } from './errors';
import { evidenceSchema, stageSchema, taskEventSchema, taskResultSchema } from './events';
import { LIMITS } from './limits';
import { platformSchema, prioritySchema, taskStatusSchema } from './task';
import { columnView, zhihuOptionsShape } from './zhihu-options';

/** MongoDB ObjectId as 24 hex characters; anything else can never name a record. */
export const idSchema = z.string().regex(/^[a-f0-9]{24}$/, 'Expected a 24-character hexadecimal id');

const chars = (s: string) => [...s].length;

/**
 * One problem with a request's input, as the API's error data carries it (`data.issues`): which
 * field (`path`, dotted), zod's issue code, the limit it broke, and for checks of our own
 * (`custom`) a `params.reason` with its facts. Clients say it in their language from these.
 */
export interface InputIssue {
  path: string;
  code: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  format?: string;
  params?: Record<string, unknown>;
}
/** The `reason` of each check of our own, with the limit it enforces. */
const tooLong = (max: number) => ({ params: { reason: 'tooLong', maximum: max } });
const tooLarge = (max: number) => ({ params: { reason: 'tooLarge', maximum: max } });
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

// ---------- auth ----------

export const credentialsInput = z.strictObject({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(LIMITS.emailMax, `Email must be at most ${LIMITS.emailMax} characters`)
    .pipe(z.email('Enter a valid email address')),
  password: z
    .string()
    .min(LIMITS.passwordMin, `Password must be at least ${LIMITS.passwordMin} characters`)
    .max(LIMITS.passwordMax, `Password must be at most ${LIMITS.passwordMax} characters`),
});
export type CredentialsInput = z.infer<typeof credentialsInput>;

export const userView = z.object({ id: z.string(), email: z.string(), createdAt: z.string() });
export type UserView = z.infer<typeof userView>;

// ---------- personal API tokens ----------

/**
 * A personal API token is `zpub_` and 43 base64url characters (32 random bytes); the prefix lets
 * people and secret scanners recognise one. Sent as `Authorization: Bearer <token>`.
 */
export const API_TOKEN_PREFIX = 'zpub_';
export const API_TOKEN_PATTERN = /^zpub_[A-Za-z0-9_-]{43}$/;

export const createTokenInput = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'Give the token a name (where it will be used, e.g. "laptop CLI")')
    .max(LIMITS.tokenNameMax, `A token name must be at most ${LIMITS.tokenNameMax} characters`),
  /** A stolen session must not be able to mint a credential that outlives it. */
  password: z.string().min(1, 'Enter your password to create a token').max(LIMITS.passwordMax, `Password must be at most ${LIMITS.passwordMax} characters`),
});
export type CreateTokenInput = z.infer<typeof createTokenInput>;

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** To the minute: uses are written at most once a minute per server process. */
  lastUsedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof tokenView>;

/** The only answer that ever carries the secret. */
export const createdTokenView = tokenView.extend({ token: z.string() });
export type CreatedTokenView = z.infer<typeof createdTokenView>;

// ---------- accounts ----------

export const ACCOUNT_STATES = ['unverified', 'active', 'expired'] as const;
export const accountStateSchema = z.enum(ACCOUNT_STATES);
export type AccountState = z.infer<typeof accountStateSchema>;

export const createAccountInput = z.strictObject({
  platform: platformSchema,
  name: z
    .string()
    .trim()
    .min(1, 'Give the account a name')
    .max(LIMITS.accountNameMax, `Account name must be at most ${LIMITS.accountNameMax} characters`),
  cookies: z
    .string()
    .min(1, 'Paste the cookies of the account')
    .refine((s) => utf8Bytes(s) <= LIMITS.cookieMaxBytes, { message: `Cookies must be at most ${LIMITS.cookieMaxBytes} bytes`, ...tooLarge(LIMITS.cookieMaxBytes) }),
});
export type CreateAccountInput = z.infer<typeof createAccountInput>;

export const accountView = z.object({
  id: z.string(),
  platform: platformSchema,
  name: z.string(),
  state: accountStateSchema,
  zhihuName: z.string().optional(),
  urlToken: z.string().optional(),
  verifiedAt: z.string().optional(),
  /** The columns this account can publish to, from its last login check. */
  columns: z.array(columnView).optional(),
  createdAt: z.string(),
});
export type AccountView = z.infer<typeof accountView>;

// ---------- articles and tasks ----------

export const titleSchema = z
  .string()
  .trim()
  .min(1, 'Title is empty')
  .refine((s) => chars(s) <= LIMITS.titleMax, { message: `Title must be at most ${LIMITS.titleMax} characters (Zhihu's limit)`, ...tooLong(LIMITS.titleMax) });

export const contentSchema = z
  .string()
  .refine((s) => s.trim().length > 0, { message: 'Body is empty', params: { reason: 'empty' } })
  .refine((s) => utf8Bytes(s) <= LIMITS.bodyMaxBytes, { message: `Body must be at most ${LIMITS.bodyMaxBytes} bytes`, ...tooLarge(LIMITS.bodyMaxBytes) });

export const topicsSchema = z
  .array(z.string().trim().min(1, 'A topic is empty').max(LIMITS.topicMax, `A topic must be at most ${LIMITS.topicMax} characters`))
  .max(LIMITS.topicsMax, `At most ${LIMITS.topicsMax} topics (Zhihu's limit)`);

/** ISO 8601 date-time with an offset, e.g. 2026-11-28T09:00:00Z, at most a year ahead. */
export const scheduledAtSchema = z.iso
  .datetime({ offset: true, message: 'scheduledAt must be an ISO 8601 date-time, e.g. 2026-11-28T09:00:00Z' })
  .refine((s) => Date.parse(s) < Date.now() + 366 * 24 * 3600 * 1000, { message: 'scheduledAt must be within a year', params: { reason: 'tooFar' } });

/**
 * A Zhihu article id: the digits at the end of `https://zhuanlan.zhihu.com/p/<id>`. Ids are 15-20
 * digits and pass 2^53, so they travel as strings.
 */
export const zhihuArticleIdSchema = z
  .string()
  .trim()
  .regex(/^\d{15,20}$/, 'A Zhihu article id is the 15-20 digits at the end of its address (https://zhuanlan.zhihu.com/p/<id>)');

/** `publish` (the default) makes the article public; `draft` saves it to Zhihu's drafts and never clicks 发布. */
export const PUBLISH_MODES = ['publish', 'draft'] as const;
export const publishModeSchema = z.enum(PUBLISH_MODES);
export type PublishMode = z.infer<typeof publishModeSchema>;

export const articleInput = z.strictObject({
  title: titleSchema,
  content: contentSchema,
  topics: topicsSchema.default([]),
  priority: prioritySchema.default('normal'),
  scheduledAt: scheduledAtSchema.optional(),
  ...zhihuOptionsShape,
  /**
   * Update this Zhihu article in place instead of creating one. Refused (ARTICLE_BUSY) while
   * another task of the same user for the same article has not ended.
   */
  articleId: zhihuArticleIdSchema.optional(),
  /** Absent means `publish`: no default here, so parsed articles stay as they were sent. */
  mode: publishModeSchema.optional(),
});
export type ArticleInput = z.infer<typeof articleInput>;

export const createTaskInput = articleInput.extend({ accountId: idSchema });
export type CreateTaskInput = z.input<typeof createTaskInput>;

/** Why one article of a batch was refused. */
export const REJECTION_CODES = [
  'TITLE_REQUIRED',
  'TITLE_TOO_LONG',
  'CONTENT_REQUIRED',
  'CONTENT_TOO_LARGE',
  'TOO_MANY_TOPICS',
  'INVALID_TOPIC',
  'INVALID_PRIORITY',
  'INVALID_SCHEDULE',
  'INVALID_COLUMN',
  'INVALID_COVER',
  'INVALID_OPTION',
  /** The body or cover names an uploaded image (`/assets/<sha256>`) the user never uploaded. */
  'UNKNOWN_IMAGE',
  /** `articleId` is not a Zhihu article id (15-20 digits). */
  'INVALID_ARTICLE_ID',
  /** `mode` is neither `publish` nor `draft`. */
  'INVALID_MODE',
  /** Another task of the user for the same `articleId` has not ended (or the batch names it twice). */
  'ARTICLE_BUSY',
  'INVALID_ARTICLE',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export type ArticleCheck =
  | { ok: true; article: ArticleInput }
  | { ok: false; code: RejectionCode; message: string; field?: string };

/** Validates one article on its own, naming what is wrong with a code a program can act on. */
export function checkArticle(value: unknown): ArticleCheck {
  const parsed = articleInput.safeParse(value);
  if (parsed.success) return { ok: true, article: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  const message = issue ? `${field === undefined ? 'article' : String(field)}: ${issue.message}` : 'Invalid article';
  return { ok: false, code: rejectionCode(field, issue?.code, value), message, ...(typeof field === 'string' ? { field } : {}) };
}

function rejectionCode(field: PropertyKey | undefined, issueCode: string | undefined, value: unknown): RejectionCode {
  switch (field) {
    case 'title': {
      const title = (value as { title?: unknown } | null)?.title;
      return typeof title === 'string' && title.trim().length > 0 ? 'TITLE_TOO_LONG' : 'TITLE_REQUIRED';
    }
    case 'content': {
      const content = (value as { content?: unknown } | null)?.content;
      return typeof content === 'string' && content.trim().length > 0 ? 'CONTENT_TOO_LARGE' : 'CONTENT_REQUIRED';
    }
    case 'topics':
      return issueCode === 'too_big' ? 'TOO_MANY_TOPICS' : 'INVALID_TOPIC';
    case 'priority':
      return 'INVALID_PRIORITY';
    case 'scheduledAt':
      return 'INVALID_SCHEDULE';
    case 'column':
      return 'INVALID_COLUMN';
    case 'cover':
      return 'INVALID_COVER';
    case 'statement':
    case 'commentPermission':
      return 'INVALID_OPTION';
    case 'articleId':
      return 'INVALID_ARTICLE_ID';
    case 'mode':
      return 'INVALID_MODE';
    default:
      return 'INVALID_ARTICLE';
  }
}

export const createBatchInput = z.strictObject({
  accountId: idSchema,
  // Each article is checked on its own in the procedure, so one bad article cannot sink the batch.
  articles: z
    .array(z.unknown())
    .min(1, 'The batch is empty')
    .max(LIMITS.batchMax, `A batch holds at most ${LIMITS.batchMax} articles`),
});
export type CreateBatchInput = z.infer<typeof createBatchInput>;

export const createBatchOutput = z.object({
  batchId: z.string().nullable(),
  total: z.number(),
  created: z.array(z.object({ taskId: z.string(), index: z.number() })),
  rejected: z.array(
    z.object({
      index: z.number(),
      code: z.enum(REJECTION_CODES),
      /** In English; `field` and `params` let a client say it in its own language. */
      message: z.string(),
      field: z.string().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
export type CreateBatchOutput = z.infer<typeof createBatchOutput>;


export const taskView = z.object({
  id: z.string(),
  accountId: z.string(),
  platform: platformSchema,
  title: z.string(),
  topics: z.array(z.string()),
  priority: prioritySchema,
  scheduledAt: z.string().optional(),
  batchId: z.string().optional(),
  ...zhihuOptionsShape,
  /** The Zhihu article this task updates in place (absent: it creates one). Set by `task.byId`. */
  articleId: z.string().optional(),
  /** Set by `task.byId`; list rows leave it out. */
  mode: publishModeSchema.optional(),
  status: taskStatusSchema,
  progress: z.number(),
  stage: stageSchema,
  attempt: z.number(),
  /** Version of the state; an event applies to a row only if its `v` is newer. */
  v: z.number(),
  error: taskErrorSchema.optional(),
  result: taskResultSchema.optional(),
  evidence: evidenceSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type TaskView = z.infer<typeof taskView>;

export const taskDetail = taskView.extend({
  content: z.string(),
  events: z.array(taskEventSchema),
});
export type TaskDetail = z.infer<typeof taskDetail>;

export const TASK_SORTS = ['createdAt', 'updatedAt', 'status', 'title'] as const;

export const listTasksInput = z.strictObject({
  status: z.union([taskStatusSchema, z.array(taskStatusSchema).max(7)]).optional(),
  batchId: idSchema.optional(),
  accountId: idSchema.optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(TASK_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  cursor: z.string().max(1000).optional(),
  limit: z.number().int().min(1).max(LIMITS.pageMax, `limit must be at most ${LIMITS.pageMax}`).default(50),
});
export type ListTasksInput = z.input<typeof listTasksInput>;

export const listTasksOutput = z.object({
  items: z.array(taskView),
  /**
   * Null at the end. A page may hold fewer than `limit` rows and still name a next cursor: a
   * filter the indexes cannot apply (a date range with the `updatedAt` or `title` sort) examines a
   * bounded stretch per call.
   */
  nextCursor: z.string().nullable(),
  total: z.number(),
  /** The indexes are being rebuilt from MongoDB (Redis lost them): tasks may be missing until it ends. */
  rebuilding: z.literal(true).optional(),
});
export type ListTasksOutput = z.infer<typeof listTasksOutput>;

export const taskIdInput = z.strictObject({ id: idSchema });
export const taskIdsInput = z.strictObject({
  ids: z.array(idSchema).min(1, 'Select at least one task').max(LIMITS.batchMax),
});
/** A page worth of rows by id (no bodies, no timelines): for rows a client has not loaded yet. */
export const taskLookupInput = z.strictObject({
  ids: z.array(idSchema).min(1, 'Give at least one id').max(LIMITS.pageMax, `At most ${LIMITS.pageMax} ids`),
});
export const rescheduleInput = z.strictObject({ id: idSchema, scheduledAt: scheduledAtSchema.nullable() });

export const onUpdateInput = z
  .strictObject({ lastEventId: z.string().max(LIMITS.idMax).nullish() })
  .optional();

export const manyResult = z.object({
  changed: z.array(z.string()),
  /** `reason` is English; `code` (an app code such as TASK_STATE, or a tRPC code) and `status` say it for clients. */
  skipped: z.array(z.object({ id: z.string(), reason: z.string(), code: z.string().optional(), status: taskStatusSchema.optional() })),
});
export type ManyResult = z.infer<typeof manyResult>;

// ---------- statistics and workers ----------

export const statsInput = z.strictObject({ since: z.iso.datetime({ offset: true }).optional() }).optional();

export const statsSummary = z.object({
  since: z.string(),
  total: z.number(),
  byStatus: z.record(taskStatusSchema, z.number()),
  successRate: z.number().nullable(),
  /** Of successful tasks, from a histogram: each percentile within 2.5 % of the exact one. */
  durationMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), count: z.number() }),
  failuresByCode: z.array(z.object({ code: errorCodeSchema, count: z.number() })),
  perHour: z.array(z.object({ hour: z.string(), created: z.number(), success: z.number(), failed: z.number() })),
  /** The counts are being rebuilt from MongoDB (Redis lost them): they may be short until it ends. */
  rebuilding: z.literal(true).optional(),
});
export type StatsSummary = z.infer<typeof statsSummary>;

export const workerView = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  slots: z.number(),
  busy: z.number(),
  done: z.number(),
  startedAt: z.string(),
  lastSeen: z.string(),
  /** Shutting down: takes no new tasks, finishes the running ones. */
  draining: z.boolean(),
  alive: z.boolean(),
});
export type WorkerView = z.infer<typeof workerView>;
