import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { HttpError } from './http-error.ts';

// U+0000 has no use in any text Stoa keeps, and PostgreSQL's text type cannot store it: requests that
// carry it are refused at the door, the same on both engines, rather than failing deep inside a query.

export const NUL_REFUSED = 'The request must not contain NUL characters (U+0000)';

/** Whether any field name or text value, at any depth, holds U+0000 (uploaded files are not text). */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (typeof value !== 'object' || value === null || value instanceof Blob) return false;
  if (Array.isArray(value)) return value.some(containsNul);
  return Object.entries(value).some(([key, item]) => key.includes('\0') || containsNul(item));
}

/** Refuses (400) a request whose path or query string encodes U+0000. */
export function refuseNulInUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (/%00/i.test(c.req.url)) throw new HttpError(400, NUL_REFUSED);
    await next();
  };
}
