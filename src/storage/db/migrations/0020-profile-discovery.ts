import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * What members say about and show of other accounts: private notes on an account, the accounts they
 * endorse on their profile, the hashtags they feature, and the follow suggestions they dismissed.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  const pair = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('target_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint(`${name}_pk`, ['account_id', 'target_account_id']);
  await pair('account_notes')
    .addColumn('comment', 'text', (c) => c.notNull())
    .execute();
  await pair('endorsements').execute();
  await db.schema.createIndex('endorsements_by_target').on('endorsements').column('target_account_id').execute();
  await pair('suggestion_dismissals').execute();
  await db.schema
    .createTable('featured_tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('featured_tags_once', ['account_id', 'tag_id'])
    .execute();
}
