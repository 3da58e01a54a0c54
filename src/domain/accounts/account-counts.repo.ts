import { sql } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import type { Unit } from '../unit-of-work.ts';

/** What a profile counts. */
export interface AccountCountsRow {
  statuses: number;
  followers: number;
  following: number;
  lastStatusAt: string | null;
}

/** The counts of several accounts, read from their kept counters in one query. */
export async function countAccounts(db: DbReader, accountIds: readonly string[]): Promise<Map<string, AccountCountsRow>> {
  const counts = new Map<string, AccountCountsRow>(
    accountIds.map((id) => [id, { statuses: 0, followers: 0, following: 0, lastStatusAt: null }]),
  );
  if (accountIds.length === 0) return counts;
  const rows = await db
    .selectFrom('account_stats')
    .selectAll()
    .where('account_id', 'in', [...new Set(accountIds)])
    .execute();
  for (const row of rows) {
    counts.set(row.account_id, {
      statuses: Number(row.statuses_count),
      followers: Number(row.followers_count),
      following: Number(row.following_count),
      lastStatusAt: row.last_status_at,
    });
  }
  return counts;
}

/** Adds `delta` to an account's status count (and moves its last-post date forward when posting). */
export async function bumpStatusCount(unit: Unit, accountId: string, delta: number, postedAt?: string): Promise<void> {
  await unit.tx
    .insertInto('account_stats')
    .values({ account_id: accountId, statuses_count: Math.max(0, delta), last_status_at: postedAt ?? null })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({
        statuses_count: sql`case when account_stats.statuses_count + ${delta} < 0 then 0 else account_stats.statuses_count + ${delta} end`,
        ...(postedAt ? { last_status_at: postedAt } : {}),
      }),
    )
    .execute();
  unit.changed({ kind: 'accounts', ids: [accountId] });
}

/**
 * Recounts who follows and whom each account follows, after the graph around them changed. The rows are
 * written in id order, so that two commands about the same pair of accounts (a follow each way, arriving
 * at once) take their locks in the same order and never deadlock on PostgreSQL.
 */
export async function recountFollows(unit: Unit, accountIds: readonly string[]): Promise<void> {
  const ids = [...new Set(accountIds)].sort();
  for (const id of ids) {
    const followers = sql<number>`(select count(*) from follows where target_account_id = ${id})`;
    const following = sql<number>`(select count(*) from follows where account_id = ${id})`;
    await unit.tx
      .insertInto('account_stats')
      .values({ account_id: id, followers_count: followers, following_count: following })
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ followers_count: followers, following_count: following }))
      .execute();
  }
  if (ids.length) unit.changed({ kind: 'accounts', ids });
}
