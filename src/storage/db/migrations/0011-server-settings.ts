import type { Kysely } from 'kysely';

/**
 * Facts about the server itself, one row each, that outlive any configuration: first of all the domain the
 * server was started with, so that a process started with another `STOA_DOMAIN` refuses to run instead of
 * writing accounts and posts under a domain nobody can reach.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
