import type { Db } from '../../storage/db/database.ts';
import { countInstanceStats, type InstanceStats } from './instance-stats.repo.ts';

export type { InstanceStats } from './instance-stats.repo.ts';

/** What the instance surfaces ask of the domain. */
export interface InstanceService {
  /** The server's counts, at most `ttlMs` old: clients poll the Instance entity often, counting is not free. */
  stats(): Promise<InstanceStats>;
  /** The domains of the servers this one knows accounts on, sorted (cached like the counts). */
  peers(): Promise<string[]>;
}

/** Builds the instance service over the database, with the counts cached for `ttlMs`. */
export function createInstanceService(db: Db, ttlMs = 60_000): InstanceService {
  const stats = cachedFor(ttlMs, () => countInstanceStats(db.read));
  const peers = cachedFor(ttlMs, async () =>
    (
      await db.read
        .selectFrom('accounts')
        .select('domain')
        .distinct()
        .where('domain', 'is not', null)
        .orderBy('domain')
        .limit(100_000)
        .execute()
    ).map((r) => r.domain!),
  );
  return { stats, peers };
}

/** `load`, called at most once per `ttlMs`; a failure is not kept, so the next call tries again. */
function cachedFor<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      const value = load();
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
