import type { Clock } from '../../lib/clock.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { RateLimited } from '../errors.ts';

/** Failures allowed before each further attempt must wait. */
const FREE_FAILURES = 5;
/** Failures after which the login is refused from that address until the quiet period has passed. */
const HARD_LIMIT = 20;
/** How long failures are remembered, and how long the hard refusal lasts. */
const QUIET_MS = 60 * 60 * 1000;
const MAX_WAIT_MS = 15 * 60 * 1000;
/** Attempts one address may make, whatever the logins. */
const PER_IP = { limit: 50, windowMs: 5 * 60 * 1000 };

/**
 * Slows down password guessing. Failures are counted per login as typed (never per account, so that the
 * state of an existing and a missing account cannot differ) and per address: each failure after the fifth
 * doubles the wait before the next attempt from that address, and after twenty that address is refused for
 * an hour. Nobody can lock an account for its owner, who signs in from another address. Per address,
 * attempts are capped in a window whatever the login.
 */
export interface SignInThrottle {
  /** Throws `RateLimited` if this attempt must not be checked now. */
  check(loginKey: string, ip: string): Promise<void>;
  recordFailure(loginKey: string, ip: string): void;
  recordSuccess(loginKey: string, ip: string): void;
}

/**
 * The part of an address that identifies one attacker: the whole IPv4 address, the /64 of an IPv6 one
 * (a single host is usually given a whole /64).
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The throttle, with failures remembered in this process (a shared cache keeps them across processes). */
export function createSignInThrottle(clock: Clock, limiter: RateLimiter): SignInThrottle {
  const failures = new Map<string, { count: number; last: number }>();
  const keyOf = (loginKey: string, ip: string) => `${loginKey}\n${addressKey(ip)}`;
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
      const byIp = await limiter.hit(`sign-in:ip:${addressKey(ip)}`, PER_IP.limit, PER_IP.windowMs);
      if (!byIp.allowed) throw new RateLimited(byIp.retryAfterSeconds, 'Too many sign-in attempts from this address; try again later');
      const entry = current(keyOf(loginKey, ip));
      if (!entry || entry.count < FREE_FAILURES) return;
      const elapsed = clock() - entry.last;
      const wait = entry.count >= HARD_LIMIT ? QUIET_MS : Math.min(1000 * 2 ** (entry.count - FREE_FAILURES), MAX_WAIT_MS);
      if (elapsed < wait) throw new RateLimited(Math.ceil((wait - elapsed) / 1000), 'Too many failed sign-in attempts; try again later');
    },
    recordFailure(loginKey, ip) {
      const key = keyOf(loginKey, ip);
      const entry = current(key);
      failures.delete(key);
      failures.set(key, { count: (entry?.count ?? 0) + 1, last: clock() });
      if (failures.size > 100_000) failures.delete(failures.keys().next().value!);
    },
    recordSuccess(loginKey, ip) {
      failures.delete(keyOf(loginKey, ip));
    },
  };
}
