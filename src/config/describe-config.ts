import type { Config } from './config.ts';

/** The effective configuration as `NAME = value` lines, with secrets and passwords masked. */
export function describeConfig(config: Config): string[] {
  const rows: [string, string][] = [
    ['STOA_DOMAIN', config.domain],
    ['public URL', config.publicUrl],
    ['STOA_INSECURE_HTTP', String(config.insecureHttp)],
    ['STOA_BIND', config.bind],
    ['STOA_PORT', String(config.port)],
    ['STOA_DATA_DIR', config.dataDir],
    ['DATABASE_URL', config.database.engine === 'sqlite' ? `sqlite:${config.database.path}` : maskUrl(config.database.url)],
    ['REDIS_URL', config.redisUrl === null ? '(not set; not used yet)' : maskUrl(config.redisUrl)],
    [
      'STOA_SECRET',
      config.secretSource === 'environment' ? '******** (from the environment)' : `******** (kept in ${config.dataDir}/secret)`,
    ],
    ['STOA_TRUSTED_PROXIES', config.trustedProxies.length ? config.trustedProxies.join(', ') : '(none: X-Forwarded-For is ignored)'],
    ['STOA_LOG_LEVEL', config.logLevel],
    ['STOA_NAME', config.instance.name],
    ['STOA_DESCRIPTION', config.instance.description || '(empty)'],
    ['STOA_CONTACT_EMAIL', config.instance.contactEmail || '(empty)'],
    ['STOA_SOURCE_URL', config.instance.sourceUrl],
    ['STOA_REGISTRATION', config.registration.mode],
    ['STOA_POW_BITS', String(config.registration.powBits)],
    ['STOA_MOVED_TO', config.movedTo ?? '(not set)'],
    ['STOA_BACKUP_DIR', config.backup.dir ?? '(not set: no scheduled backups)'],
    ['STOA_BACKUP_EVERY_HOURS', String(config.backup.everyHours)],
    ['STOA_BACKUP_KEEP', String(config.backup.keep)],
    [
      'STOA_BACKUP_S3_URL',
      config.backup.bucket === null ? '(not set)' : `${config.backup.bucket.endpoint}/${config.backup.bucket.bucket} (credentials masked)`,
    ],
    ['STOA_BACKUP_PASSPHRASE', config.backup.passphrase === null ? '(not set)' : '********'],
    ['SMTP_URL', config.mail.smtpUrl === null ? `(not set: mail is written to ${config.dataDir}/mail/)` : maskUrl(config.mail.smtpUrl)],
    ['SMTP_FROM', config.mail.from],
    ['STOA_TOKEN_TTL_DAYS', String(config.auth.accessTokenTtlMs / 86_400_000)],
    ['STOA_PASSWORD_GRANT', String(config.auth.passwordGrant)],
    ['STOA_STAFF_REQUIRE_2FA', String(config.auth.staffSecondFactor)],
    ['STOA_STATUS_SEARCH', config.statusSearch],
    ['STOA_PUBLIC_TIMELINES', config.publicTimelines],
    ['STOA_MAX_REQUEST_BYTES', String(config.limits.requestBodyBytes)],
    ['STOA_API_RATE_LIMIT', String(config.limits.apiPerAccount)],
    ['STOA_API_RATE_LIMIT_ANONYMOUS', String(config.limits.apiPerAddress)],
    ['STOA_POST_RATE_LIMIT', String(config.limits.postsPerAccount)],
    ['STOA_APP_RATE_LIMIT', String(config.limits.appsPerAddress)],
    ['STOA_PAGE_RATE_LIMIT', String(config.limits.pagesPerAddress)],
    ['STOA_FEDERATION_RATE_LIMIT', String(config.limits.federationPerAddress)],
    ['STOA_SHUTDOWN_GRACE_SECONDS', String(config.shutdownGraceMs / 1000)],
    ['STOA_HOME_CACHE_MB', config.homeCacheBytes ? String(config.homeCacheBytes / 1024 / 1024) : '0 (off)'],
    ['STOA_MEDIA_URL', config.media.baseUrl],
    ['STOA_MEDIA_MAX_IMAGE_BYTES', String(config.media.maxImageBytes)],
    ['STOA_MEDIA_MAX_VIDEO_BYTES', String(config.media.maxVideoBytes)],
    ['STOA_MEDIA_MAX_PIXELS', String(config.media.maxPixels)],
    ['STOA_MEDIA_MAX_SECONDS', String(config.media.maxSeconds)],
    ['STOA_FFMPEG_PATH', config.media.ffmpegPath ?? '(not set: ffmpeg on the PATH, else the one in node_modules)'],
    ['STOA_FFPROBE_PATH', config.media.ffprobePath ?? '(not set: ffprobe on the PATH, else the one in node_modules)'],
    ...(config.blobs.kind === 'local'
      ? ([['STOA_S3_ENDPOINT', `(not set: media files in ${config.blobs.directory})`]] as [string, string][])
      : ([
          ['STOA_S3_ENDPOINT', config.blobs.endpoint],
          ['STOA_S3_BUCKET', config.blobs.bucket],
          ['STOA_S3_REGION', config.blobs.region],
          ['STOA_S3_ACCESS_KEY_ID', config.blobs.accessKeyId],
          ['STOA_S3_SECRET_ACCESS_KEY', '********'],
          ['STOA_S3_PATH_STYLE', String(config.blobs.pathStyle)],
        ] as [string, string][])),
    ['STOA_RULES_FILE', `${config.instance.rules.length} rules`],
    ['STOA_FLAG_RULES_FILE', typeof config.instance.flagRules === 'string' ? config.instance.flagRules : config.instance.flagRules.file],
    ['STOA_PUBLIC_PAGES', config.instance.publicPages],
    ['STOA_FEDERATION', config.federation.mode],
    ['STOA_FEDERATION_ALLOWLIST', config.federation.allowedDomains.join(', ') || '(none)'],
    ['STOA_SIGNED_FETCHES_ONLY', String(config.federation.signedFetchesOnly)],
    ['STOA_ALLOWED_PRIVATE_PEERS', config.federation.allowedPrivatePeers.join(', ') || '(none)'],
    ['STOA_DELIVERY_PAUSE_SECONDS', String(config.federation.deliveryPauseMs / 1000)],
    ['STOA_LINK_PREVIEWS', String(config.federation.linkPreviews)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
}

/** Hides the password of a connection URL, keeping what an operator needs to recognise it. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '********';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
