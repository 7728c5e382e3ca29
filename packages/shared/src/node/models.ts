/**
 * MongoDB collections. On FerretDB v1 (the embedded default) only `{ _id: x }` filters are pushed
 * down to SQLite; every other filter scans the collection, and findOneAndUpdate is not atomic.
 * So hot paths here read and write by `_id` only; coordination (compare-and-set, queues, indexes
 * over live tasks) lives in Redis, and tasks are kept lean (bodies and timelines apart).
 */
import mongoose, { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { ACCOUNT_STATES, PUBLISH_MODES } from '../api';
import { STAGE_NAMES } from '../events';
import { PLATFORMS, PRIORITIES, TASK_STATUSES } from '../task';
import { COMMENT_PERMISSIONS, CREATION_STATEMENTS } from '../zhihu-options';

const opts = { versionKey: false } as const;

const userSchema = new Schema(
  {
    email: { type: String, required: true, unique: true },
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    passwordChangedAt: { type: Date },
  },
  opts,
);

const sessionSchema = new Schema(
  {
    // SHA-256 of the cookie's random id: a leaked collection does not leak sessions.
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    ip: { type: String },
    userAgent: { type: String },
  },
  opts,
);

/**
 * A personal API token (`Authorization: Bearer zpub_...`). Like a session, only the SHA-256 of
 * the secret is kept, as `_id`, so every request finds it by `_id`; `publicId` names it in lists.
 */
const apiTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    publicId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date },
  },
  opts,
);

const accountSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    platform: { type: String, enum: PLATFORMS, required: true },
    name: { type: String, required: true },
    cookiesSealed: { type: String, required: true },
    state: { type: String, enum: ACCOUNT_STATES, required: true },
    zhihuName: { type: String },
    urlToken: { type: String },
    verifiedAt: { type: Date },
    /** Columns the account can publish to, as its last login check read them from Zhihu. */
    columns: { type: [new Schema({ id: String, title: String }, { _id: false })], default: undefined },
    stateReason: { type: String },
    /** The last login check a worker ran for `account.verify`: which request, when, and why it could not decide. */
    checkRequest: { type: String },
    checkedAt: { type: Date },
    checkError: { type: String },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  opts,
);

/** A note (notes.ts) as stored: its code and its facts, which differ by code. */
const noteDocSchema = new Schema({ code: String, params: Schema.Types.Mixed }, { _id: false });
const errorSchema = new Schema({ code: String, message: String, retryable: Boolean, detail: { type: noteDocSchema } }, { _id: false });
const resultSchema = new Schema({ url: String, articleId: String }, { _id: false });
const evidenceRefSchema = new Schema({ url: String, pageTitle: String, screenshot: Boolean, at: Date }, { _id: false });

const taskSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    platform: { type: String, enum: PLATFORMS, required: true },
    title: { type: String, required: true },
    topics: { type: [String], default: [] },
    priority: { type: String, enum: PRIORITIES, required: true },
    scheduledAt: { type: Date },
    batchId: { type: Schema.Types.ObjectId },
    /** Zhihu settings of the article (zhihu-options.ts); absent means Zhihu's default. */
    column: { type: String },
    cover: { type: String },
    statement: { type: String, enum: CREATION_STATEMENTS },
    commentPermission: { type: String, enum: COMMENT_PERMISSIONS },
    /** The Zhihu article this task updates in place; absent, it creates one. */
    articleId: { type: String },
    /** `draft` saves to Zhihu's drafts without publishing; absent on tasks older than the field. */
    mode: { type: String, enum: PUBLISH_MODES },
    status: { type: String, enum: TASK_STATUSES, required: true },
    progress: { type: Number, required: true },
    stage: { type: String, enum: STAGE_NAMES, required: true },
    attempt: { type: Number, required: true },
    /** Version of the state: one more with every transition; the projection only moves forward. */
    v: { type: Number, required: true },
    error: { type: errorSchema },
    result: { type: resultSchema },
    evidence: { type: evidenceRefSchema },
    submittedAt: { type: Date },
    startedAt: { type: Date },
    finishedAt: { type: Date },
    lastEventId: { type: String },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  opts,
);

const contentSchema = new Schema({ _id: { type: Schema.Types.ObjectId }, content: { type: String, required: true } }, opts);

const timelineEventSchema = new Schema(
  {
    id: String,
    attempt: Number,
    v: Number,
    status: String,
    progress: Number,
    stage: String,
    note: { type: noteDocSchema },
    message: String,
    error: { type: errorSchema },
    result: { type: resultSchema },
    at: String,
  },
  { _id: false },
);
const timelineSchema = new Schema({ _id: { type: Schema.Types.ObjectId }, events: { type: [timelineEventSchema], default: [] } }, opts);

/**
 * An image a user uploaded (zhihu-options.ts, `/assets/<sha256>`), keyed `<userId>:<sha256>` so
 * one user's upload never answers for another's. The worker re-hosts it on Zhihu before publishing.
 */
const assetSchema = new Schema(
  {
    _id: { type: String },
    userId: { type: Schema.Types.ObjectId, required: true },
    sha256: { type: String, required: true },
    mime: { type: String, required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  opts,
);

const evidenceSchema = new Schema(
  {
    _id: { type: String },
    taskId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    attempt: { type: Number, required: true },
    url: { type: String, required: true },
    pageTitle: { type: String, required: true },
    screenshot: { type: Buffer },
    at: { type: Date, required: true },
  },
  opts,
);

/**
 * One document per attempt that a worker claimed, `<taskId>:<attempt>`: the durable half of the
 * attempt's fencing token. Its unique `_id` means an attempt number can be taken once, even by a
 * Redis that was rolled back and hands the same number out again; `submittedAt` is written before
 * the click, so a later attempt knows to look for the article first.
 */
const claimSchema = new Schema(
  {
    _id: { type: String, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    token: { type: String, required: true },
    workerId: { type: String, required: true },
    at: { type: Date, required: true },
    submittedAt: { type: Date },
  },
  opts,
);

/**
 * Tasks saved in MongoDB whose registration in Redis has not been confirmed yet. A small
 * collection (an entry lives for milliseconds), so the reconciler can read it whole on FerretDB
 * and finish a create that a crash interrupted between the two stores.
 */
const createJournalSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  opts,
);

/**
 * Small facts a server keeps in MongoDB by name: how far the projection got (`projector`), which
 * tells a Redis restored from an older snapshot from a current one.
 */
const serverStateSchema = new Schema({ _id: { type: String, required: true }, value: { type: String, required: true }, at: { type: Date, required: true } }, opts);

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export type SessionDoc = InferSchemaType<typeof sessionSchema>;
export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema>;
export type AccountDoc = InferSchemaType<typeof accountSchema> & { _id: mongoose.Types.ObjectId };
export type TaskDoc = InferSchemaType<typeof taskSchema> & { _id: mongoose.Types.ObjectId };
export type EvidenceDoc = InferSchemaType<typeof evidenceSchema>;
export type AssetDoc = InferSchemaType<typeof assetSchema>;
export type ClaimDoc = InferSchemaType<typeof claimSchema>;

/** Binds the models to one connection, so tests and apps can hold several side by side. */
export function createModels(conn: Connection) {
  return {
    User: conn.model('User', userSchema, 'users'),
    Session: conn.model('Session', sessionSchema, 'sessions'),
    ApiToken: conn.model('ApiToken', apiTokenSchema, 'api_tokens'),
    Account: conn.model('Account', accountSchema, 'accounts'),
    Task: conn.model('Task', taskSchema, 'tasks'),
    TaskContent: conn.model('TaskContent', contentSchema, 'task_contents'),
    TaskTimeline: conn.model('TaskTimeline', timelineSchema, 'task_timelines'),
    Evidence: conn.model('Evidence', evidenceSchema, 'evidence'),
    Asset: conn.model('Asset', assetSchema, 'assets'),
    TaskClaim: conn.model('TaskClaim', claimSchema, 'task_claims'),
    TaskCreate: conn.model('TaskCreate', createJournalSchema, 'task_creates'),
    ServerState: conn.model('ServerState', serverStateSchema, 'server_state'),
  };
}
export type Models = ReturnType<typeof createModels>;

/**
 * Connects without command buffering: while MongoDB is unreachable an operation fails at once
 * (the API turns that into "temporarily unavailable") instead of hanging.
 */
export async function connectMongo(uri: string): Promise<{ conn: Connection; models: Models; scansBeyondId: boolean; timings: { connectMs: number; indexesMs: number } }> {
  const t0 = performance.now();
  const conn = mongoose.createConnection(uri, {
    bufferCommands: false,
    autoIndex: false,
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 20,
  });
  await conn.asPromise();
  const t1 = performance.now();
  const models = createModels(conn);
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  return { conn, models, scansBeyondId: await scansBeyondId(conn), timings: { connectMs: t1 - t0, indexesMs: performance.now() - t1 } };
}

/**
 * Whether the server evaluates a filter with more than `_id` by reading every document of the
 * collection: FerretDB v1 (it says `ferretdbVersion` in buildInfo) pushes only `{ _id: x }` down
 * to its backend. MongoDB uses its indexes for any filter.
 */
async function scansBeyondId(conn: Connection): Promise<boolean> {
  const db = conn.db;
  if (!db) throw new Error('MongoDB connection has no database');
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

export { mongoose };
