import type { Clock } from '../../lib/clock.ts';
import type { Db } from '../../storage/db/database.ts';
import type { ApiAuth } from './route-table.ts';

/** Who recently used a bearer token, kept for a few seconds so that each API request need not read it again. */
export interface TokenCache {
  /** The caller of a token looked up recently, if nothing it depends on was written since. */
  get(token: string): ApiAuth | undefined;
  /** Starts a lookup: `put` keeps its result only if no watched table was written in between. */
  begin(): number;
  put(ticket: number, token: string, auth: ApiAuth): void;
}

/** The tables a caller is read from, and those whose deletions cascade into them. */
const SOURCES = ['oauth_tokens', 'oauth_apps', 'sessions', 'accounts', 'users'] as const;

/**
 * An in-process cache of resolved tokens. Everything is forgotten whenever this process writes a token,
 * app, session, account or user (a revocation, a suspension, a new password: the next request reads
 * them afresh), and whenever another process has written to the database (a `stoa` command revoking a
 * token: SQLite tells it within a quarter of a second); an entry also lives no longer than `ttlMs` nor than
 * its token. Only for a process that makes every other write to its database.
 */
export function tokenCache(db: Db, clock: Clock, options: { ttlMs?: number; maxEntries?: number } = {}): TokenCache {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { auth: ApiAuth; until: number }>();
  let epoch = 0;
  const forget = () => {
    epoch++;
    entries.clear();
  };
  db.watchWrites(SOURCES, forget);
  // A token revoked from the command line (another process) is refused within a quarter of a second.
  db.watchOtherWriters(forget);
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.until > clock()) return entry.auth;
      entries.delete(token);
      return undefined;
    },
    begin: () => epoch,
    put(ticket, token, auth) {
      if (ticket !== epoch) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(token, { auth, until: Math.min(clock() + ttlMs, auth.grant.expiresAt) });
    },
  };
}
