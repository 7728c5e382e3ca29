import { z } from 'zod';

/**
 * Environment pieces every Node app shares. Each app composes them in its own `src/env.ts` and
 * parses `process.env` there, once, at start-up.
 */
export const booleanFromEnv = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const commonEnvShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI').default('mongodb://127.0.0.1:27018/zpub'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URI').default('redis://127.0.0.1:6380'),
  /** Namespaces every Redis key and the queue, so several systems (or tests) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - only').default('zpub'),
  /** Where a development secret key is generated when ZPUB_SECRET_KEY is not set. */
  DATA_DIR: z.string().default('.data'),
  /** 32 bytes, base64 or hex: encrypts platform cookies at rest. Required in production. */
  ZPUB_SECRET_KEY: z.string().optional(),
  /** Earlier keys (comma-separated) still accepted for reading while a rotation runs. */
  ZPUB_SECRET_KEY_PREVIOUS: z.string().optional(),
  SANDBOX_ORIGIN: z.url().default('http://127.0.0.1:3100'),
  /** How often Bee-Queue looks for jobs whose worker stopped renewing their lock. */
  STALL_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(5000),
  /** A task whose worker died this many times fails with WORKER_LOST. */
  STALL_LIMIT: z.coerce.number().int().min(1).max(20).default(2),
  /** Automatic retries of retryable errors, with exponential backoff from RETRY_BACKOFF_MS. */
  AUTO_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Events the stream keeps (approximately) for resuming subscribers and a lagging projector. */
  EVENT_STREAM_MAXLEN: z.coerce.number().int().min(10).default(100_000),
  /**
   * How long an ended task's live state and row stay in Redis (then its row is read from MongoDB
   * by `_id`); its place in the list indexes stays for good. A week by default.
   */
  TASK_ROW_TTL_S: z.coerce.number().int().min(1).max(366 * 24 * 3600).default(7 * 24 * 3600),
} as const;

/** Turns a zod failure into one line per variable, so start-up says exactly what to fix. */
export function parseEnv<T extends z.ZodType>(schema: T, source: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}
