import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Media: attachments (processed uploads, their files and their place in a status), files waiting to be
 * removed from the blob store, and the avatar and header images of accounts.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const ts = sql.raw(columnTypes(engine).timestamp);
  await db.schema
    .createTable('media_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status_id', 'text', (c) => c.references('statuses.id').onDelete('set null'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('file_key', 'text')
    .addColumn('file_size', 'integer')
    .addColumn('preview_key', 'text')
    .addColumn('meta', 'text')
    .addColumn('blurhash', 'text')
    .addColumn('description', 'text')
    .addColumn('focus_x', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('focus_y', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_attachments_status_id').on('media_attachments').columns(['status_id', 'position']).execute();
  await db.schema.createIndex('media_attachments_account_id').on('media_attachments').column('account_id').execute();
  await db.schema.createIndex('media_attachments_created_at').on('media_attachments').column('created_at').execute();

  // Files to remove from the blob store: written in the transaction that forgets them, removed after it
  // commits, and retried by the cleanup job if the store could not be reached.
  await db.schema
    .createTable('blob_deletions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.alterTable('accounts').addColumn('avatar_key', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('header_key', 'text').execute();
}
