import pino, { type LevelWithSilent, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that are never written to a log, whatever object a caller hands in: credentials, cookies and
 * anything that looks like a password, token or secret.
 */
const REDACTED = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'client_secret',
  '*.client_secret',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.secret',
  'config.database.url',
  'config.redisUrl',
];

/** The root logger: JSON lines on standard output; children are named by category (`http`, `db`, ...). */
export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'stoa' },
      redact: { paths: REDACTED, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
