import type { Clock } from '../../lib/clock.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { RateLimited } from '../errors.ts';

/** Failures allowed before each further attempt must wait. */
const FREE_FAILURES = 5;
/** Failures after which the login is refused outright until the quiet period has passed. */
const HARD_LIMIT = 20;
/** How long failures are remembered, and how long the hard refusal lasts. */
const QUIET_MS = 60 * 60 * 1000;
const MAX_WAIT_MS = 15 * 60 * 1000;
/** Attempts one address may make, whatever the accounts. */
const PER_IP = { limit: 50, windowMs: 5 * 60 * 1000 };

/**
 * Slows down password guessing: per account (or per unknown login, so that the answers do not tell the
 * two apart) each failure after the fifth doubles the wait before the next attempt, and after twenty
 * the login is refused for an hour; per address, attempts are capped in a window.
 */
export interface SignInThrottle {
  /** Throws `RateLimited` if this attempt must not be checked now. */
  check(loginKey: string, ip: string): Promise<void>;
  recordFailure(loginKey: string): void;
  recordSuccess(loginKey: string): void;
}

/** The throttle, with failures remembered in this process (a shared cache keeps them across processes). */
export function createSignInThrottle(clock: Clock, limiter: RateLimiter): SignInThrottle {
  const failures = new Map<string, { count: number; last: number }>();
  const current = (key: string) => {
    const entry = failures.get(key);
    if (entry && clock() - entry.last > QUIET_MS) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async check(loginKey, ip) {
      const byIp = await limiter.hit(`sign-in:ip:${ip}`, PER_IP.limit, PER_IP.windowMs);
      if (!byIp.allowed) throw new RateLimited(byIp.retryAfterSeconds, 'Too many sign-in attempts from this address; try again later');
      const entry = current(loginKey);
      if (!entry || entry.count < FREE_FAILURES) return;
      const elapsed = clock() - entry.last;
      const wait = entry.count >= HARD_LIMIT ? QUIET_MS : Math.min(1000 * 2 ** (entry.count - FREE_FAILURES), MAX_WAIT_MS);
      if (elapsed < wait) throw new RateLimited(Math.ceil((wait - elapsed) / 1000), 'Too many failed sign-in attempts; try again later');
    },
    recordFailure(loginKey) {
      const entry = current(loginKey);
      failures.set(loginKey, { count: (entry?.count ?? 0) + 1, last: clock() });
      if (failures.size > 100_000) failures.delete(failures.keys().next().value!);
    },
    recordSuccess(loginKey) {
      failures.delete(loginKey);
    },
  };
}
