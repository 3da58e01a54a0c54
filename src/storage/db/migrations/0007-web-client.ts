import type { Kysely } from 'kysely';

/**
 * The web client's token belongs to the browser session that asked for it: signing out, or revoking the
 * session from the security page, deletes the token with it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_tokens')
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('oauth_tokens_session').on('oauth_tokens').column('session_id').execute();
}
