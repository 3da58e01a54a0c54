import type { Kysely } from 'kysely';

/** A member's imports of lists from another server (follows, blocks, mutes, domain blocks, bookmarks) and how far each got. */
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
}
