import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path, whatever the
 * caller passes: cookies, passwords, session ids, API tokens, authorization headers.
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    base: { app: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'cookies',
        'cookie',
        '*.cookies',
        '*.cookie',
        'password',
        '*.password',
        'passwordHash',
        '*.passwordHash',
        'sid',
        '*.sid',
        'req.headers.cookie',
        'req.headers.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'authorization',
        '*.authorization',
        'token',
        '*.token',
        'res.headers["set-cookie"]',
        'headers.cookie',
        '*.headers.cookie',
      ],
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
  });
}
