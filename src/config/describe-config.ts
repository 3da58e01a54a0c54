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
    ['REDIS_URL', config.redisUrl === null ? '(not set: queue and cache are embedded)' : maskUrl(config.redisUrl)],
    ['STOA_SECRET', config.secretSource === 'environment' ? '******** (from the environment)' : `******** (kept in ${config.dataDir}/secret)`],
    ['STOA_TRUSTED_PROXIES', config.trustedProxies.length ? config.trustedProxies.join(', ') : '(none: X-Forwarded-For is ignored)'],
    ['STOA_LOG_LEVEL', config.logLevel],
    ['STOA_NAME', config.instance.name],
    ['STOA_DESCRIPTION', config.instance.description || '(empty)'],
    ['STOA_CONTACT_EMAIL', config.instance.contactEmail || '(empty)'],
    ['STOA_SOURCE_URL', config.instance.sourceUrl],
    ['STOA_REGISTRATION', config.registration.mode],
    ['STOA_POW_BITS', String(config.registration.powBits)],
    ['SMTP_URL', config.mail.smtpUrl === null ? `(not set: mail is written to ${config.dataDir}/mail/)` : maskUrl(config.mail.smtpUrl)],
    ['SMTP_FROM', config.mail.from],
    ['STOA_TOKEN_TTL_DAYS', String(config.auth.accessTokenTtlMs / 86_400_000)],
    ['STOA_PASSWORD_GRANT', String(config.auth.passwordGrant)],
    ['STOA_STATUS_SEARCH', config.statusSearch],
    ['STOA_PUBLIC_TIMELINES', config.publicTimelines],
    ['STOA_MAX_REQUEST_BYTES', String(config.limits.requestBodyBytes)],
    ['STOA_SHUTDOWN_GRACE_SECONDS', String(config.shutdownGraceMs / 1000)],
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
