import type { DbReader } from '../../storage/db/database.ts';

/** What a profile counts. Followers and following arrive with the social graph. */
export interface AccountCountsRow {
  statuses: number;
  followers: number;
  following: number;
  lastStatusAt: string | null;
}

/** The counts of several accounts in one query. */
export async function countAccounts(db: DbReader, accountIds: readonly string[]): Promise<Map<string, AccountCountsRow>> {
  const counts = new Map<string, AccountCountsRow>(accountIds.map((id) => [id, { statuses: 0, followers: 0, following: 0, lastStatusAt: null }]));
  if (accountIds.length === 0) return counts;
  const rows = await db
    .selectFrom('statuses')
    .select((eb) => ['account_id', eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('last')])
    .where('account_id', 'in', accountIds)
    .groupBy('account_id')
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.account_id);
    if (entry) Object.assign(entry, { statuses: Number(row.n), lastStatusAt: row.last });
  }
  return counts;
}
