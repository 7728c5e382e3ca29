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
    /** Registrations per address per minute (each costs an argon2 hash). */
    REGISTER_MAX_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
    /**
     * Reverse proxies in front of the server that append to X-Forwarded-For; the client address
     * (for sign-in limits) is taken that many entries from the right. 0: the socket's address.
     */
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** Largest request body accepted; bigger ones are cut off before parsing. */
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
    /** How long a worker may stay silent before it is shown as gone. */
    WORKER_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
    /** How often the leader looks for tasks whose MongoDB, Redis and queue states disagree. */
    /** Bearer token for GET /metrics; without one, only requests from this machine get metrics. */
    METRICS_TOKEN: z.string().min(16).optional(),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    RECONCILE_QUEUED_GRACE_MS: z.coerce.number().int().min(1000).default(30_000),
    /**
     * Tests only (ignored when NODE_ENV=production): a folder in which a file named after a pause
     * point (`create-register`, `projector-write`) holds the server at that point while it exists.
     */
    TEST_PAUSE_DIR: z.string().optional(),
  })
  .transform((e) => ({
    ...e,
    // Browsers send Origin as scheme://host[:port] with no path or slash; compare like with like.
    PUBLIC_ORIGIN: new URL(e.PUBLIC_ORIGIN ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).origin,
  }));

export type Env = z.infer<typeof schema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(schema, source);
}
