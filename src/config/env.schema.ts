import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Who may sign up: anyone, anyone once an admin approves, only people with an invite, nobody. */
export const REGISTRATION_MODES = ['open', 'approval', 'invite', 'closed'] as const;

const optionalText = z.string().trim().optional();

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    error: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
  .optional();

const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `must be a whole number (${what})` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be between ${min} and ${max} (${what})` })
    .optional();

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .refine(isHostWithOptionalPort, {
    error: 'must be a host name with an optional port, such as example.org or localhost:3000 (no scheme, no path)',
  })
  .optional();

const databaseUrl = z
  .string()
  .trim()
  .refine((v) => /^(postgres|postgresql):\/\//.test(v) || /^sqlite:.+/.test(v), {
    error: 'must start with postgres:// (PostgreSQL) or sqlite: followed by a file path (embedded SQLite)',
  })
  .optional();

const redisUrl = z
  .string()
  .trim()
  .refine((v) => /^rediss?:\/\/.+/.test(v), { error: 'must start with redis:// or rediss://' })
  .optional();

const secret = z.string().min(32, { error: 'must be at least 32 characters long (or unset, to have one generated)' }).optional();

const proxies = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      if (!isAddressOrRange(entry)) ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` });
    }
  });

/** The environment variables Stoa reads, each validated on its own so that every problem is reported. */
export const envSchema = z.object({
  STOA_DOMAIN: domain,
  STOA_PORT: wholeNumber(1, 65535, 'a TCP port'),
  STOA_BIND: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0 || v === 'localhost', { error: 'must be an IP address such as 127.0.0.1, 0.0.0.0 or ::' })
    .optional(),
  STOA_DATA_DIR: z.string().trim().min(1).optional(),
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  STOA_SECRET: secret,
  STOA_TRUSTED_PROXIES: proxies,
  STOA_INSECURE_HTTP: flag,
  STOA_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  STOA_NAME: optionalText.pipe(z.string().max(100, { error: 'must be at most 100 characters' }).optional()),
  STOA_DESCRIPTION: optionalText.pipe(z.string().max(2000, { error: 'must be at most 2000 characters' }).optional()),
  STOA_SOURCE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  STOA_RULES_FILE: z.string().trim().min(1).optional(),
  STOA_FLAG_RULES_FILE: z.string().trim().min(1).optional(),
  STOA_PUBLIC_PAGES: z.enum(['public', 'signed-in'], { error: 'must be public or signed-in' }).optional(),
  STOA_CONTACT_EMAIL: z
    .string()
    .trim()
    .pipe(z.email({ error: 'must be an email address' }))
    .optional(),
  STOA_REGISTRATION: z.enum(REGISTRATION_MODES, { error: `must be one of ${REGISTRATION_MODES.join(', ')}` }).optional(),
  STOA_POW_BITS: wholeNumber(0, 28, 'leading zero bits of the sign-up proof of work, 0 to 28'),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), { error: 'must look like smtp://user:password@host:587 or smtps://user:password@host:465' })
    .optional(),
  SMTP_FROM: z.string().trim().min(3).optional(),
  STOA_BACKUP_PASSPHRASE: z.string().min(12, { error: 'must be at least 12 characters' }).optional(),
  STOA_BACKUP_DIR: z.string().trim().min(1).optional(),
  STOA_BACKUP_EVERY_HOURS: wholeNumber(1, 24 * 7, 'hours between scheduled backups, 1 to 168'),
  STOA_BACKUP_KEEP: wholeNumber(1, 1000, 'scheduled backups kept, 1 to 1000'),
  STOA_BACKUP_S3_URL: z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          const url = new URL(v);
          return /^https?:$/.test(url.protocol) && url.username !== '' && url.password !== '' && /^\/[^/]+\/?$/.test(url.pathname);
        } catch {
          return false;
        }
      },
      { error: 'must be https://ACCESS_KEY_ID:SECRET_ACCESS_KEY@s3.example.com/bucket (optionally ?region=...)' },
    )
    .optional(),
  STOA_MOVED_TO: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^/?#\s]+\/?$/.test(v), { error: 'must be the new address of the server, such as https://new.example' })
    .transform((v) => new URL(v).origin)
    .optional(),
  STOA_TOKEN_TTL_DAYS: wholeNumber(1, 365, 'days an access token lives, 1 to 365'),
  STOA_PASSWORD_GRANT: flag,
  STOA_STAFF_REQUIRE_2FA: flag,
  STOA_STATUS_SEARCH: z.enum(['visible', 'opted-in', 'interacted'], { error: 'must be visible, opted-in or interacted' }).optional(),
  STOA_PUBLIC_TIMELINES: z.enum(['public', 'signed-in'], { error: 'must be public or signed-in' }).optional(),
  STOA_MAX_REQUEST_BYTES: wholeNumber(1024, 100 * 1024 * 1024, 'bytes, from 1024 to 104857600'),
  STOA_API_RATE_LIMIT: wholeNumber(1, 1_000_000_000, 'API requests per 5 minutes per account, a whole number from 1'),
  STOA_API_RATE_LIMIT_ANONYMOUS: wholeNumber(
    1,
    1_000_000_000,
    'API requests per 5 minutes per address without a token, a whole number from 1',
  ),
  STOA_POST_RATE_LIMIT: wholeNumber(1, 1_000_000_000, 'posts and reposts per 3 hours per account, a whole number from 1'),
  STOA_APP_RATE_LIMIT: wholeNumber(1, 1_000_000_000, 'apps registered and tokens issued per hour per address, a whole number from 1'),
  STOA_PAGE_RATE_LIMIT: wholeNumber(1, 1_000_000_000, 'public pages and feeds per 5 minutes per address, a whole number from 1'),
  STOA_FEDERATION_RATE_LIMIT: wholeNumber(
    1,
    1_000_000_000,
    'ActivityPub and WebFinger reads per 5 minutes per address, a whole number from 1',
  ),
  STOA_SHUTDOWN_GRACE_SECONDS: wholeNumber(0, 600, 'seconds'),
  STOA_HOME_CACHE_MB: wholeNumber(0, 65_536, 'megabytes of home timeline pages kept in memory; 0 turns the cache off'),
  STOA_MEDIA_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, such as https://media.example.org' }).optional(),
  STOA_MEDIA_MAX_IMAGE_BYTES: wholeNumber(1024, 100 * 1024 * 1024, 'bytes, from 1024 to 104857600'),
  STOA_MEDIA_MAX_VIDEO_BYTES: wholeNumber(1024, 500 * 1024 * 1024, 'bytes, from 1024 to 524288000'),
  STOA_MEDIA_MAX_PIXELS: wholeNumber(1, 268_402_689, 'pixels of one image or video frame'),
  STOA_MEDIA_MAX_SECONDS: wholeNumber(1, 3600, 'seconds of video or audio, 1 to 3600'),
  STOA_FFMPEG_PATH: z.string().trim().min(1).optional(),
  STOA_FFPROBE_PATH: z.string().trim().min(1).optional(),
  STOA_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, such as https://s3.eu-central-1.amazonaws.com' })
    .optional(),
  STOA_S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)' })
    .optional(),
  STOA_S3_REGION: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,40}$/, { error: 'must be a region name such as us-east-1' })
    .optional(),
  STOA_S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  STOA_S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  STOA_S3_PATH_STYLE: flag,
  STOA_FEDERATION: z.enum(['open', 'allowlist', 'off'], { error: 'must be open, allowlist or off' }).optional(),
  STOA_FEDERATION_ALLOWLIST: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((d) => d.toLowerCase()),
    )
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        if (!isHostWithOptionalPort(entry)) ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name` });
      }
    }),
  STOA_SIGNED_FETCHES_ONLY: flag,
  STOA_LINK_PREVIEWS: flag,
  STOA_ALLOWED_PRIVATE_PEERS: proxies,
  STOA_DELIVERY_PAUSE_SECONDS: wholeNumber(1, 7 * 86_400, 'seconds, from 1 to 604800'),
});

/** The variables after validation, before defaults that depend on one another are applied. */
export type ParsedEnv = z.output<typeof envSchema>;

function isHostWithOptionalPort(value: string): boolean {
  if (!/^[a-z0-9.\-[\]:]+$/.test(value)) return false;
  try {
    const url = new URL(`http://${value}`);
    return url.host === value || `${url.hostname}:${url.port}` === value;
  } catch {
    return false;
  }
}

function isAddressOrRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  if (address === undefined || extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d+$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
