import type { Db } from '../../storage/db/database.ts';
import { countInstanceStats, type InstanceStats } from './instance-stats.repo.ts';

export type { InstanceStats } from './instance-stats.repo.ts';

/** What the instance surfaces ask of the domain. */
export interface InstanceService {
  /** The server's counts, at most `ttlMs` old: clients poll the Instance entity often, counting is not free. */
  stats(): Promise<InstanceStats>;
}

/** Builds the instance service over the database, with the counts cached for `ttlMs`. */
export function createInstanceService(db: Db, ttlMs = 60_000): InstanceService {
  let cached: { at: number; value: Promise<InstanceStats> } | undefined;
  return {
    stats() {
      const now = Date.now();
      if (!cached || now - cached.at > ttlMs) {
        const value = countInstanceStats(db.read);
        cached = { at: now, value };
        // A failed count is not cached: the next call tries again.
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}
