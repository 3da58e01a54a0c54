import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Members' filters: keywords and single posts that warn, blur or hide what they match, in the contexts
 * each filter names (home and lists, notifications, public timelines, threads, profiles), until it expires.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('filters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('expires_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('filters_account').on('filters').columns(['account_id', 'id']).execute();
  await db.schema
    .createTable('filter_keywords')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('filter_id', 'text', (c) => c.notNull().references('filters.id').onDelete('cascade'))
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addColumn('whole_word', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('filter_keywords_filter').on('filter_keywords').columns(['filter_id', 'id']).execute();
  await db.schema
    .createTable('filter_statuses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('filter_id', 'text', (c) => c.notNull().references('filters.id').onDelete('cascade'))
    .addColumn('status_id', 'text', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('filter_statuses_once', ['filter_id', 'status_id'])
    .execute();
  await db.schema.createIndex('filter_statuses_status').on('filter_statuses').column('status_id').execute();
}
