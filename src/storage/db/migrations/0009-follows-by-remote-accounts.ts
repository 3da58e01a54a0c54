import { sql, type Kysely } from 'kysely';

/**
 * A follow (or request) records whether its follower is on another server, so that the inboxes a local
 * post goes to are read from an index of the remote followers alone: without it, every post of an account
 * with many local followers read all of its follows and their accounts (tens of milliseconds on SQLite,
 * for each post, in the worker that shares the process). An account's server never changes, so the flag
 * is set once, when the follow is made.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['follows', 'follow_requests']) {
    await db.schema
      .alterTable(table)
      .addColumn('by_remote_account', 'boolean', (c) => c.notNull().defaultTo(false))
      .execute();
    await sql`update ${sql.table(table)} set by_remote_account = true
      where account_id in (select id from accounts where domain is not null)`.execute(db);
  }
  await sql`create index follows_by_remote_accounts on follows (target_account_id) where by_remote_account = true`.execute(db);
}
