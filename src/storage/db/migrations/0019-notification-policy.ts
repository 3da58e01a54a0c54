import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Members' notification policies (what to do with notifications from strangers, new accounts, private
 * mentions from people they do not follow, limited accounts), the notifications held back by them, one
 * request per sender to look at, and the senders a member let through.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('notification_policies')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('for_not_following', 'text', (c) => c.notNull())
    .addColumn('for_not_followers', 'text', (c) => c.notNull())
    .addColumn('for_new_accounts', 'text', (c) => c.notNull())
    .addColumn('for_private_mentions', 'text', (c) => c.notNull())
    .addColumn('for_limited_accounts', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('notifications')
    .addColumn('filtered', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('notification_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('from_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('last_status_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('notification_requests_once', ['account_id', 'from_account_id'])
    .execute();
  await db.schema
    .createTable('notification_permissions')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('from_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_permissions_pk', ['account_id', 'from_account_id'])
    .execute();
}
