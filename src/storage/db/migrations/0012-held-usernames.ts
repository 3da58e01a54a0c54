import type { Kysely } from 'kysely';

/**
 * Usernames held by sign-ups that made no account: a sign-up with an email that already has an account
 * answers as a new one would, so its username must be taken afterwards as a new, unconfirmed account's is
 * (else a second sign-up with the same name would tell the two apart).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('held_usernames')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
