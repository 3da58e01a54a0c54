import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { BlobConfig, Config, DatabaseConfig } from './config.ts';
import { ConfigError } from './config.ts';
import type { RawEnv } from './env.ts';
import { envSchema, type ParsedEnv } from './env.schema.ts';
import { resolveSecret } from './secret.ts';
import { maskUrl } from './describe-config.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The variables this module knows, in the order `stoa config check` and the README list them. */
export const KNOWN_VARIABLES = Object.keys(envSchema.shape);

/**
 * Validates the environment and returns the frozen configuration, or throws one `ConfigError` naming
 * every problem. If `STOA_SECRET` is unset, a secret is generated once and kept in the data folder.
 */
export function loadConfig(env: RawEnv, cwd: string = process.cwd()): Config {
  const result = envSchema.safeParse(pickKnown(env));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        return `${name} ${issue.message}${shownValue(name, env[name])}`;
      }),
    );
  }
  return buildConfig(result.data, cwd, env.PATH ?? '');
}

function buildConfig(parsed: ParsedEnv, cwd: string, searchPath: string): Config {
  if (parsed.STOA_BACKUP_DIR !== undefined && parsed.STOA_BACKUP_PASSPHRASE === undefined)
    throw new ConfigError(['STOA_BACKUP_DIR needs STOA_BACKUP_PASSPHRASE: scheduled backups are always encrypted']);
  if (parsed.STOA_BACKUP_S3_URL !== undefined && parsed.STOA_BACKUP_DIR === undefined)
    throw new ConfigError(['STOA_BACKUP_S3_URL needs STOA_BACKUP_DIR: each scheduled backup is written and checked there, then copied']);
  const domain = parsed.STOA_DOMAIN ?? 'localhost:3000';
  const insecureHttp = parsed.STOA_INSECURE_HTTP ?? isLoopbackHost(domain);
  const dataDir = absolute(parsed.STOA_DATA_DIR ?? './data', cwd);
  const { secret, source } = resolveSecret(parsed.STOA_SECRET, dataDir);
  const publicUrl = `${insecureHttp ? 'http' : 'https'}://${domain}`;
  if (parsed.STOA_MOVED_TO === new URL(publicUrl).origin)
    throw new ConfigError([`STOA_MOVED_TO must be another address than the server's own (${publicUrl})`]);
  return Object.freeze<Config>({
    domain,
    publicUrl,
    insecureHttp,
    port: parsed.STOA_PORT ?? 3000,
    bind: parsed.STOA_BIND ?? '127.0.0.1',
    dataDir,
    database: databaseConfig(parsed.DATABASE_URL, dataDir, cwd),
    redisUrl: parsed.REDIS_URL ?? null,
    secret,
    secretSource: source,
    trustedProxies: Object.freeze([...parsed.STOA_TRUSTED_PROXIES]),
    logLevel: parsed.STOA_LOG_LEVEL ?? 'info',
    instance: Object.freeze({
      name: parsed.STOA_NAME || domain,
      description: parsed.STOA_DESCRIPTION ?? '',
      contactEmail: parsed.STOA_CONTACT_EMAIL ?? '',
      sourceUrl: parsed.STOA_SOURCE_URL ?? `${publicUrl}/about`,
      rules: Object.freeze(readRules(parsed.STOA_RULES_FILE, dataDir, cwd)),
      publicPages: parsed.STOA_PUBLIC_PAGES ?? 'public',
      flagRules: flagRulesOf(parsed.STOA_FLAG_RULES_FILE, dataDir, cwd),
    }),
    limits: Object.freeze({
      requestBodyBytes: parsed.STOA_MAX_REQUEST_BYTES ?? 1024 * 1024,
      apiPerAccount: parsed.STOA_API_RATE_LIMIT ?? 1500,
      apiPerAddress: parsed.STOA_API_RATE_LIMIT_ANONYMOUS ?? 300,
      postsPerAccount: parsed.STOA_POST_RATE_LIMIT ?? 300,
      appsPerAddress: parsed.STOA_APP_RATE_LIMIT ?? 20,
      pagesPerAddress: parsed.STOA_PAGE_RATE_LIMIT ?? 300,
      federationPerAddress: parsed.STOA_FEDERATION_RATE_LIMIT ?? 1500,
    }),
    registration: Object.freeze({ mode: parsed.STOA_REGISTRATION ?? 'approval', powBits: parsed.STOA_POW_BITS ?? 20 }),
    backup: Object.freeze({
      dir: parsed.STOA_BACKUP_DIR === undefined ? null : absolute(parsed.STOA_BACKUP_DIR, cwd),
      everyHours: parsed.STOA_BACKUP_EVERY_HOURS ?? 24,
      keep: parsed.STOA_BACKUP_KEEP ?? 7,
      passphrase: parsed.STOA_BACKUP_PASSPHRASE ?? null,
      bucket: backupBucketOf(parsed.STOA_BACKUP_S3_URL),
    }),
    movedTo: parsed.STOA_MOVED_TO ?? null,
    mail: Object.freeze({
      smtpUrl: parsed.SMTP_URL ?? null,
      from: parsed.SMTP_FROM ?? `${parsed.STOA_NAME || domain} <notifications@${new URL(publicUrl).hostname}>`,
    }),
    auth: Object.freeze({
      accessTokenTtlMs: (parsed.STOA_TOKEN_TTL_DAYS ?? 7) * DAY_MS,
      refreshTokenTtlMs: 90 * DAY_MS,
      sessionTtlMs: 30 * DAY_MS,
      passwordGrant: parsed.STOA_PASSWORD_GRANT ?? true,
      staffSecondFactor: parsed.STOA_STAFF_REQUIRE_2FA ?? true,
    }),
    statusSearch: parsed.STOA_STATUS_SEARCH ?? 'opted-in',
    publicTimelines: parsed.STOA_PUBLIC_TIMELINES ?? 'public',
    shutdownGraceMs: (parsed.STOA_SHUTDOWN_GRACE_SECONDS ?? 10) * 1000,
    // Only a server that is alone in writing its database may keep pages: SQLite is, PostgreSQL may not be.
    homeCacheBytes:
      (parsed.STOA_HOME_CACHE_MB ?? (parsed.DATABASE_URL === undefined || parsed.DATABASE_URL.startsWith('sqlite:') ? 64 : 0)) *
      1024 *
      1024,
    media: Object.freeze({
      baseUrl: (parsed.STOA_MEDIA_URL ?? `${publicUrl}/media`).replace(/\/+$/, ''),
      maxImageBytes: parsed.STOA_MEDIA_MAX_IMAGE_BYTES ?? 16 * 1024 * 1024,
      maxVideoBytes: parsed.STOA_MEDIA_MAX_VIDEO_BYTES ?? 64 * 1024 * 1024,
      maxPixels: parsed.STOA_MEDIA_MAX_PIXELS ?? 40_000_000,
      maxSeconds: parsed.STOA_MEDIA_MAX_SECONDS ?? 300,
      ffmpegPath: parsed.STOA_FFMPEG_PATH ?? null,
      ffprobePath: parsed.STOA_FFPROBE_PATH ?? null,
      searchPath,
    }),
    blobs: blobConfig(parsed, dataDir),
    federation: Object.freeze({
      mode: parsed.STOA_FEDERATION ?? 'open',
      allowedDomains: Object.freeze([...parsed.STOA_FEDERATION_ALLOWLIST]),
      signedFetchesOnly: parsed.STOA_SIGNED_FETCHES_ONLY ?? false,
      allowedPrivatePeers: Object.freeze(insecureHttp ? [...parsed.STOA_ALLOWED_PRIVATE_PEERS] : []),
      deliveryPauseMs: (parsed.STOA_DELIVERY_PAUSE_SECONDS ?? 1800) * 1000,
      linkPreviews: parsed.STOA_LINK_PREVIEWS ?? true,
    }),
  });
}

/** The bucket scheduled backups are copied to, from `https://KEY:SECRET@host/bucket?region=...`. */
function backupBucketOf(value: string | undefined): Extract<BlobConfig, { kind: 's3' }> | null {
  if (value === undefined) return null;
  const url = new URL(value);
  return Object.freeze({
    kind: 's3' as const,
    endpoint: url.origin,
    bucket: decodeURIComponent(url.pathname.replace(/^\/|\/$/g, '')),
    region: url.searchParams.get('region') ?? 'us-east-1',
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
    pathStyle: url.searchParams.get('path_style') !== 'false',
  });
}

/** Local files under the data folder, or an S3-compatible bucket when an endpoint is set. */
function blobConfig(parsed: ParsedEnv, dataDir: string): BlobConfig {
  const s3 = [parsed.STOA_S3_ENDPOINT, parsed.STOA_S3_BUCKET, parsed.STOA_S3_ACCESS_KEY_ID, parsed.STOA_S3_SECRET_ACCESS_KEY];
  if (s3.every((v) => v === undefined)) return Object.freeze({ kind: 'local', directory: resolve(dataDir, 'media') });
  if (s3.some((v) => v === undefined)) {
    throw new ConfigError([
      'STOA_S3_ENDPOINT, STOA_S3_BUCKET, STOA_S3_ACCESS_KEY_ID and STOA_S3_SECRET_ACCESS_KEY must be set together (or none of them, for local files)',
    ]);
  }
  return Object.freeze({
    kind: 's3',
    endpoint: parsed.STOA_S3_ENDPOINT!.replace(/\/+$/, ''),
    bucket: parsed.STOA_S3_BUCKET!,
    region: parsed.STOA_S3_REGION ?? 'us-east-1',
    accessKeyId: parsed.STOA_S3_ACCESS_KEY_ID!,
    secretAccessKey: parsed.STOA_S3_SECRET_ACCESS_KEY!,
    pathStyle: parsed.STOA_S3_PATH_STYLE ?? true,
  });
}

function databaseConfig(url: string | undefined, dataDir: string, cwd: string): DatabaseConfig {
  if (url === undefined) return Object.freeze({ engine: 'sqlite', path: resolve(dataDir, 'stoa.sqlite') });
  if (url.startsWith('sqlite:')) {
    return Object.freeze({ engine: 'sqlite', path: absolute(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''), cwd) });
  }
  return Object.freeze({ engine: 'postgres', url });
}

/** Plain HTTP is the default only for a server that nobody else can reach. */
function isLoopbackHost(domain: string): boolean {
  const host = new URL(`http://${domain}`).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '[::1]';
}

function pickKnown(env: RawEnv): Record<string, string | undefined> {
  const known: Record<string, string | undefined> = {};
  for (const name of KNOWN_VARIABLES) {
    const value = env[name];
    known[name] = value === '' ? undefined : value;
  }
  return known;
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** The rejected value, for the operator to recognise; never a secret, never a password inside a URL. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined || name === 'STOA_SECRET') return '';
  const shown = name.endsWith('_URL') && URL.canParse(value) ? maskUrl(value) : value;
  return ` (it is "${truncate(shown)}")`;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/**
 * Which rules flag threats: `off`, a file the operator named (which must exist), `<data dir>/flag-rules.json`
 * when it exists, else Stoa's starter rules. The file itself is read (and checked) when the server starts.
 */
function flagRulesOf(value: string | undefined, dataDir: string, cwd: string): Config['instance']['flagRules'] {
  if (value === 'off') return 'off';
  if (value === undefined || value === 'starter') {
    const own = join(dataDir, 'flag-rules.json');
    return value === undefined && existsSync(own) ? Object.freeze({ file: own }) : 'starter';
  }
  const file = absolute(value, cwd);
  if (!existsSync(file)) throw new ConfigError([`STOA_FLAG_RULES_FILE does not exist: ${file} (or use "starter" or "off")`]);
  return Object.freeze({ file });
}

/** At most this many rules, of at most this many characters each. */
const MAX_RULES = 50;
const MAX_RULE_CHARACTERS = 500;

/**
 * The server's rules: one per non-empty line of `STOA_RULES_FILE` (lines starting with `#` are comments),
 * or of `<data dir>/rules.txt` when it exists; none otherwise.
 */
function readRules(file: string | undefined, dataDir: string, cwd: string): string[] {
  const path = file ? absolute(file, cwd) : join(dataDir, 'rules.txt');
  if (!file && !existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`STOA_RULES_FILE cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (${path})`]);
  }
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const problems = [
    ...(rules.length > MAX_RULES ? [`STOA_RULES_FILE has ${rules.length} rules; at most ${MAX_RULES}`] : []),
    ...rules
      .filter((r) => [...r].length > MAX_RULE_CHARACTERS)
      .map((r) => `STOA_RULES_FILE: a rule is longer than ${MAX_RULE_CHARACTERS} characters: "${r.slice(0, 40)}..."`),
  ];
  if (problems.length) throw new ConfigError(problems);
  return rules;
}
