import type { Clock } from '../../lib/clock.ts';

/** The verdict on one attempt. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the window frees up (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Attempts left in this window. */
  readonly remaining: number;
  /** When this window ends (Unix ms). */
  readonly resetAt: number;
}

/** Counts attempts per key in fixed windows. The embedded one is per process; Redis's is shared. */
export interface RateLimiter {
  /** Records one attempt for `key` and says whether it is within `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateDecision>;
  /** The same, answered at once, where the counts are in this process (absent for a shared limiter). */
  hitNow?(key: string, limit: number, windowMs: number): RateDecision;
  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/** The in-process rate limiter, bounded in memory: expired windows are swept as new keys arrive. */
export function memoryRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number; windowMs: number }>();
  const sweep = (now: number) => {
    for (const [key, w] of windows) if (now - w.start >= w.windowMs) windows.delete(key);
    // Still full of live windows: drop the oldest rather than grow without bound.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };
  const hitNow = (key: string, limit: number, windowMs: number): RateDecision => {
    const now = clock();
    let w = windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (!w && windows.size >= maxKeys) sweep(now);
      w = { start: now, count: 0, windowMs };
      windows.set(key, w);
    }
    w.count++;
    const allowed = w.count <= limit;
    const resetAt = w.start + windowMs;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - now) / 1000)),
      remaining: Math.max(0, limit - w.count),
      resetAt,
    };
  };
  return {
    hitNow,
    hit: (key, limit, windowMs) => Promise.resolve(hitNow(key, limit, windowMs)),
    reset(key) {
      windows.delete(key);
      return Promise.resolve();
    },
  };
}
