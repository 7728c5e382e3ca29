import { z } from 'zod';

// The only place that reads process.env: everything else gets a typed Env, so tests can hand in
// their own values and a typo in a variable fails at start-up instead of at the first request.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const intFrom = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const envSchema = z.object({
  SANDBOX_HOST: z.string().trim().min(1).default('127.0.0.1'),
  SANDBOX_PORT: intFrom(0, 65535).default(3100),
  SANDBOX_DELAY_MS: intFrom(0, 600_000).default(300),
  SANDBOX_DATA_FILE: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type Env = z.output<typeof envSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses a set of variables; empty strings count as unset, as they do in most .env files. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = envSchema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name}=${JSON.stringify(picked[name] ?? '')}: ${issue.message}`;
    });
    throw new EnvError(`Invalid environment: ${lines.join('; ')}`);
  }
  return result.data;
}

export function loadEnv(): Env {
  return parseEnv(process.env);
}
