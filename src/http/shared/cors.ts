/** Cross-origin access to the API: any web app may call it, with a token (never with cookies). */
export const API_CORS = {
  origin: '*',
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
  exposeHeaders: ['Link', 'X-Request-Id'],
  maxAge: 86400,
} as const;

/** The CORS headers an API answer (other than a preflight) carries. */
export const API_CORS_HEADERS: readonly [string, string][] = [
  ['Access-Control-Allow-Origin', API_CORS.origin],
  ['Access-Control-Expose-Headers', API_CORS.exposeHeaders.join(',')],
];
