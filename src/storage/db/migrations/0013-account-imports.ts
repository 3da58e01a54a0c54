import type { Kysely } from 'kysely';

/**
 * A member's imports from another server (lists: follows, blocks, mutes, domain blocks, bookmarks; or an
 * archive of posts) and how far each got; and which archived post became which post here, so that an
 * archive imported twice adds nothing and replies find the posts they answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('account_imports_account').on('account_imports').columns(['account_id', 'id']).execute();
  await db.schema
    .createTable('imported_statuses')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('original_uri', 'text', (c) => c.notNull())
    .addColumn('status_id', 'text', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('imported_statuses_pk', ['account_id', 'original_uri'])
    .execute();
  await db.schema.createIndex('imported_statuses_status').on('imported_statuses').column('status_id').execute();
}
