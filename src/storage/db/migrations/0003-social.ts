import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * The social core: edits, mentions, hashtags, the social graph (follows, requests, blocks, mutes, domain
 * blocks), favourites, bookmarks, pins, muted conversations, notifications, markers, followed tags,
 * idempotency keys, and full-text search (FTS5 in SQLite, a GIN expression index in PostgreSQL).
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const ts = sql.raw(columnTypes(engine).timestamp);
  const pair = async (
    table: string,
    left: string,
    right: string,
    extra: (t: ReturnType<typeof db.schema.createTable>) => ReturnType<typeof db.schema.createTable> = (t) => t,
  ) => {
    await extra(
      db.schema
        .createTable(table)
        .addColumn(left, 'text', (c) =>
          c
            .notNull()
            .references(left === 'status_id' ? 'statuses.id' : 'accounts.id')
            .onDelete('cascade'),
        )
        .addColumn(right, 'text', (c) =>
          c
            .notNull()
            .references(right.includes('status') ? 'statuses.id' : right === 'tag_id' ? 'tags.id' : 'accounts.id')
            .onDelete('cascade'),
        )
        .addPrimaryKeyConstraint(`${table}_pkey`, [left, right] as never),
    ).execute();
    await db.schema.createIndex(`${table}_${right}`).on(table).column(right).execute();
  };

  // The thread a status belongs to (its root's id), for muting conversations and walking threads.
  await db.schema.alterTable('statuses').addColumn('thread_id', 'text').execute();
  await db.schema.alterTable('statuses').addColumn('application_name', 'text').execute();
  // An account may hide who it follows and who follows it.
  await db.schema
    .alterTable('accounts')
    .addColumn('hide_collections', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('statuses_thread_id').on('statuses').column('thread_id').execute();
  await db.schema.createIndex('statuses_visibility_id').on('statuses').columns(['visibility', 'id']).execute();

  // Profile counters, kept up to date on write so that showing an account never counts its rows.
  await db.schema
    .createTable('account_stats')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('statuses_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('followers_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('following_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status_at', ts)
    .execute();

  await db.schema
    .createTable('status_edits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status_id', 'text', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('spoiler_text', 'text', (c) => c.notNull())
    .addColumn('sensitive', 'boolean', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_edits_status_id').on('status_edits').columns(['status_id', 'id']).execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await sql`create unique index tags_name_unique on tags (lower(name))`.execute(db);

  await pair('mentions', 'status_id', 'account_id');
  await pair('status_tags', 'status_id', 'tag_id');
  await pair('favourites', 'account_id', 'status_id', (t) =>
    t.addColumn('id', 'text', (c) => c.notNull().unique()).addColumn('created_at', ts, (c) => c.notNull()),
  );
  await pair('bookmarks', 'account_id', 'status_id', (t) =>
    t.addColumn('id', 'text', (c) => c.notNull().unique()).addColumn('created_at', ts, (c) => c.notNull()),
  );
  await pair('pins', 'account_id', 'status_id', (t) => t.addColumn('created_at', ts, (c) => c.notNull()));
  await pair('tag_follows', 'account_id', 'tag_id', (t) => t.addColumn('created_at', ts, (c) => c.notNull()));
  await pair('blocks', 'account_id', 'target_account_id', (t) =>
    t.addColumn('id', 'text', (c) => c.notNull().unique()).addColumn('created_at', ts, (c) => c.notNull()),
  );
  await pair('mutes', 'account_id', 'target_account_id', (t) =>
    t
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('hide_notifications', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('expires_at', ts)
      .addColumn('created_at', ts, (c) => c.notNull()),
  );
  const graph = (t: ReturnType<typeof db.schema.createTable>) =>
    t
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('show_reblogs', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('notify', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('uri', 'text')
      .addColumn('created_at', ts, (c) => c.notNull());
  await pair('follows', 'account_id', 'target_account_id', graph);
  await pair('follow_requests', 'account_id', 'target_account_id', graph);
  // Who asked to hear of an account's new posts: a few rows, even for an account with many followers.
  await sql`create index follows_notify_subscribers on follows (target_account_id) where notify = true`.execute(db);

  await db.schema
    .createTable('account_domain_blocks')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('account_domain_blocks_pkey', ['account_id', 'domain'] as never)
    .execute();

  await db.schema
    .createTable('conversation_mutes')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_mutes_pkey', ['account_id', 'thread_id'] as never)
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('from_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status_id', 'text', (c) => c.references('statuses.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_account_id_id').on('notifications').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('notifications_status_id').on('notifications').column('status_id').execute();

  await db.schema
    .createTable('markers')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('timeline', 'text', (c) => c.notNull())
    .addColumn('last_read_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('markers_pkey', ['account_id', 'timeline'] as never)
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('status_id', 'text', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['account_id', 'key'] as never)
    .execute();

  if (engine === 'sqlite') {
    // Contentless: the index holds terms, not text; secure-delete removes a deleted post's terms for real.
    // Its rows are keyed by an INTEGER PRIMARY KEY of their own, which (unlike a plain rowid) VACUUM keeps.
    await sql`create table status_search_rows (rowid integer primary key, status_id text not null unique references statuses (id) on delete cascade)`.execute(
      db,
    );
    await sql`create virtual table statuses_search using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(
      db,
    );
    await sql`insert into statuses_search(statuses_search, rank) values ('secure-delete', 1)`.execute(db);
  } else {
    await sql`create index statuses_fulltext on statuses using gin (to_tsvector('simple', text))`.execute(db);
  }
}
