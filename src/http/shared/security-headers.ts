import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';

/** The policy for anything that is not a page: nothing may load, nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The security headers every response carries, the Content-Security-Policy first. */
export function securityHeaderList(https: boolean): [string, string][] {
  return [
    ['Content-Security-Policy', API_CSP],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'same-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
    ...(https ? [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'] as [string, string]] : []),
  ];
}

/**
 * Sets the security headers every response carries. A route that serves a page sets its own
 * Content-Security-Policy first; this fills in the strictest one where none was set.
 */
export function securityHeaders(options: { https: boolean }): MiddlewareHandler<AppEnv> {
  const list = securityHeaderList(options.https);
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of list) if (!headers.has(name)) headers.set(name, value);
  };
}
