import type { MiddlewareHandler } from 'hono';
import { RateLimited } from '../../domain/errors.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import type { AppEnv } from './app-env.ts';

const WINDOW_MS = 5 * 60 * 1000;

/** The budgets of what anyone may read without signing in, per address. */
export interface PublicLimits {
  /** Profile pages, post pages, hashtag pages and Atom feeds per 5 minutes. */
  readonly pagesPerAddress: number;
  /** ActivityPub reads (actors, objects, outboxes, collections) and WebFinger per 5 minutes. */
  readonly federationPerAddress: number;
}

/** Which budget a read counts against, or null for what is not a public surface (the API counts its own). */
export function publicSurface(method: string, path: string): 'pages' | 'federation' | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  if (path.startsWith('/users/') || path === '/.well-known/webfinger') return 'federation';
  if (path.startsWith('/@') || path.startsWith('/tags/')) return 'pages';
  return null;
}

/**
 * Gives every public surface a budget per address, so that a scraper cannot read the whole server through
 * the pages, feeds or ActivityPub collections when the API would stop it. Over the budget the answer is
 * 429 with `Retry-After` (a page for a browser, JSON otherwise).
 */
export function publicRateLimit(limiter: RateLimiter, limits: PublicLimits): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const surface = publicSurface(c.req.method, c.req.path);
    if (surface) {
      const limit = surface === 'pages' ? limits.pagesPerAddress : limits.federationPerAddress;
      const decision = await limiter.hit(`${surface}:address:${c.var.clientIp}`, limit, WINDOW_MS);
      if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, 'Too many requests from this address; try again later');
    }
    await next();
  };
}
