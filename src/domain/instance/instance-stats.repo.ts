import type { DbReader } from '../../storage/db/database.ts';

/** Counts shown in the Instance entity and on the landing page. */
export interface InstanceStats {
  /** Local accounts that are not suspended. */
  readonly userCount: number;
  /** Local statuses, reposts excluded. */
  readonly statusCount: number;
  /** Other servers this one knows accounts of. */
  readonly domainCount: number;
  /** Local accounts that posted in the last four weeks. */
  readonly activeMonth: number;
}

const FOUR_WEEKS_MS = 28 * 24 * 60 * 60 * 1000;

/** Reads the counts straight from the tables (a handful of aggregate queries). */
export async function countInstanceStats(db: DbReader, now: Date = new Date()): Promise<InstanceStats> {
  const since = new Date(now.getTime() - FOUR_WEEKS_MS).toISOString();
  const [users, statuses, domains, active] = await Promise.all([
    db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('domain', 'is', null)
      .where('suspended_at', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('statuses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('domain', 'is', null)
      .where('reblog_of_id', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('accounts')
      .select((eb) => eb.fn.count<number>('domain').distinct().as('n'))
      .where('domain', 'is not', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('statuses')
      .select((eb) => eb.fn.count<number>('account_id').distinct().as('n'))
      .where('domain', 'is', null)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow(),
  ]);
  return { userCount: Number(users.n), statusCount: Number(statuses.n), domainCount: Number(domains.n), activeMonth: Number(active.n) };
}
