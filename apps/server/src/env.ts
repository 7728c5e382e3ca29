import { commonEnvShape, parseEnv } from '@zpub/shared/node';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const schema = z
  .object({
    ...commonEnvShape,
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** The origin browsers use to reach the app; state-changing requests must come from it. */
    PUBLIC_ORIGIN: z.url().optional(),
    /** The built SPA (apps/web/dist). */
    WEB_DIST_DIR: z.string().default(fileURLToPath(new URL('../../web/dist', import.meta.url))),
    USER_MAX_RUNNING: z.coerce.number().int().min(1).max(100).default(2),
    /** Submissions (task.create, task.createBatch, retries) accepted per user per minute. */
    USER_MAX_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    /** Seconds between two publishes on the same platform account; 0 for the sandbox. */
    ACCOUNT_MIN_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(0),
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Login attempts per email and per address per minute before RATE_LIMITED. */
    LOGIN_MAX_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(10),
    /** Largest request body accepted; bigger ones are cut off before parsing. */
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
    /** How long a worker may stay silent before it is shown as gone. */
    WORKER_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
    /** How often the leader looks for tasks whose MongoDB, Redis and queue states disagree. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    RECONCILE_QUEUED_GRACE_MS: z.coerce.number().int().min(1000).default(30_000),
  })
  .transform((e) => ({ ...e, PUBLIC_ORIGIN: e.PUBLIC_ORIGIN ?? `http://${e.HOST}:${e.PORT}` }));

export type Env = z.infer<typeof schema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(schema, source);
}
