import { sql, type Kysely } from 'kysely';

/**
 * An account reposts a status at most once, held by a unique index rather than by a check before the
 * insert (two concurrent reposts both passed the check). Duplicates made before are removed first, the
 * oldest kept, and their authors' post counts corrected.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const duplicates = await sql<{ account_id: string; extra: number }>`
    select account_id, count(*) as extra from statuses s
    where reblog_of_id is not null
      and exists (select 1 from statuses o where o.reblog_of_id = s.reblog_of_id and o.account_id = s.account_id and o.id < s.id)
    group by account_id`.execute(db);
  await sql`
    delete from statuses
    where reblog_of_id is not null
      and exists (select 1 from statuses o where o.reblog_of_id = statuses.reblog_of_id and o.account_id = statuses.account_id and o.id < statuses.id)`.execute(
    db,
  );
  for (const { account_id, extra } of duplicates.rows) {
    await sql`update account_stats set statuses_count = case when statuses_count > ${Number(extra)} then statuses_count - ${Number(extra)} else 0 end where account_id = ${account_id}`.execute(
      db,
    );
  }
  await sql`drop index statuses_reblog_of_id`.execute(db);
  await sql`create unique index statuses_reblog_once on statuses (reblog_of_id, account_id) where reblog_of_id is not null`.execute(db);
}
