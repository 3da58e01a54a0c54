import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Posts a member scheduled for later: what to post (the parameters as sent, checked when scheduled) and
 * when; the uploads they will carry are kept for them until then.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('scheduled_statuses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('scheduled_at', ts, (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scheduled_statuses_account').on('scheduled_statuses').columns(['account_id', 'scheduled_at']).execute();
  await db.schema
    .alterTable('media_attachments')
    .addColumn('scheduled_status_id', 'text', (c) => c.references('scheduled_statuses.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('media_attachments_scheduled').on('media_attachments').column('scheduled_status_id').execute();
}
