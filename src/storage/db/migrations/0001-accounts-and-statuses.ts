import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/** Accounts and statuses, local and remote alike: each has a canonical URI and a domain (null if local). */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp } = columnTypes(engine);

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('uri', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('bot', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('discoverable', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('inbox_url', 'text')
    .addColumn('shared_inbox_url', 'text')
    .addColumn('outbox_url', 'text')
    .addColumn('followers_url', 'text')
    .addColumn('following_url', 'text')
    .addColumn('featured_url', 'text')
    .addColumn('created_at', sql.raw(timestamp), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(timestamp), (c) => c.notNull())
    .addColumn('suspended_at', sql.raw(timestamp))
    .addColumn('fetched_at', sql.raw(timestamp))
    .execute();
  // One handle per username and domain, without regard to case; local accounts have no domain.
  await sql`create unique index accounts_handle_unique on accounts (lower(username), coalesce(domain, ''))`.execute(db);
  await db.schema.createIndex('accounts_domain').on('accounts').column('domain').execute();

  await db.schema
    .createTable('statuses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('uri', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text')
    .addColumn('domain', 'text')
    // No foreign keys on parents and quotes: a reply outlives its deleted parent, a quote its quoted post.
    .addColumn('in_reply_to_id', 'text')
    .addColumn('in_reply_to_account_id', 'text')
    .addColumn('reblog_of_id', 'text', (c) => c.references('statuses.id').onDelete('cascade'))
    .addColumn('quote_of_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('content', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('spoiler_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('sensitive', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('visibility', 'text', (c) => c.notNull().check(sql`visibility in ('public', 'unlisted', 'private', 'direct')`))
    .addColumn('language', 'text')
    .addColumn('created_at', sql.raw(timestamp), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(timestamp), (c) => c.notNull())
    .addColumn('edited_at', sql.raw(timestamp))
    .execute();
  await db.schema.createIndex('statuses_account_id_id').on('statuses').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('statuses_in_reply_to_id').on('statuses').column('in_reply_to_id').execute();
  // Partial: only reposts are in it, so that "is not a repost" never becomes a scan of this index.
  await sql`create index statuses_reblog_of_id on statuses (reblog_of_id, account_id) where reblog_of_id is not null`.execute(db);
  await db.schema.createIndex('statuses_quote_of_id').on('statuses').column('quote_of_id').execute();
  await db.schema.createIndex('statuses_domain_id').on('statuses').columns(['domain', 'id']).execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('statuses').execute();
  await db.schema.dropTable('accounts').execute();
}
