import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Members' lists of accounts they follow: each list is a timeline of its own, and an exclusive list keeps
 * its members' posts out of the home timeline.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('replies_policy', 'text', (c) => c.notNull())
    .addColumn('exclusive', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lists_account').on('lists').columns(['account_id', 'id']).execute();
  await db.schema
    .createTable('list_accounts')
    .addColumn('list_id', 'text', (c) => c.notNull().references('lists.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('list_accounts_pk', ['list_id', 'account_id'])
    .execute();
  await db.schema.createIndex('list_accounts_account').on('list_accounts').columns(['account_id', 'list_id']).execute();
}
