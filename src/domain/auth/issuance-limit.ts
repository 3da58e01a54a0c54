import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { RateLimited } from '../errors.ts';

const WINDOW_MS = 60 * 60 * 1000;

/**
 * Counts an app registration or a token issued (by code or client credentials) against the address asking,
 * and throws `RateLimited` over the hourly budget: each app-only token would otherwise be a new request budget.
 */
export type IssuanceLimit = (ip: string) => Promise<void>;

/** The issuance limit over the shared limiter. */
export function issuanceLimit(limiter: RateLimiter, perHour: number): IssuanceLimit {
  return async (ip) => {
    const decision = await limiter.hit(`issue:address:${ip}`, perHour, WINDOW_MS);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, 'Too many apps or tokens from this address; try again later');
  };
}
