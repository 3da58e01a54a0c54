import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Quote consent across servers (FEP-044f), reports (local, and Flags from other servers), the moment an
 * account moved, queues by channel, and Web Push subscriptions.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const ts = sql.raw(columnTypes(engine).timestamp);

  // Stamps this server issued: the author of `quoted_status_id` lets the post at `quoting_uri` quote it.
  // Each is served at its own URL so that any server can check it; it goes with the quoted post.
  await db.schema
    .createTable('quote_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('quoted_status_id', 'text', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addColumn('quoting_uri', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quote_authorizations_quoted').on('quote_authorizations').column('quoted_status_id').execute();

  // The stamp another server issued for a local post that quotes one of its posts.
  await db.schema.alterTable('statuses').addColumn('quote_authorization_uri', 'text').execute();

  // A report: from a local account (`account_id`), or from another server (`uri` of its Flag, and the
  // reporting server's domain). Statuses are a JSON array of ids; a report outlives what it reports.
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('origin_domain', 'text')
    .addColumn('uri', 'text', (c) => c.unique())
    .addColumn('target_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('category', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('rule_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('forwarded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('action_taken_at', ts)
    .execute();
  await db.schema.createIndex('reports_open').on('reports').columns(['action_taken_at', 'created_at']).execute();
  await db.schema.createIndex('reports_target').on('reports').column('target_account_id').execute();

  await db.schema.alterTable('accounts').addColumn('moved_at', ts).execute();

  // Where a remote account's avatar and header were fetched from: fetched (and re-encoded) again only when they change.
  await db.schema.alterTable('accounts').addColumn('avatar_remote_url', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('header_remote_url', 'text').execute();

  // One table, several queues: Fedify's deliveries and inbox work, and Stoa's own activity events
  // (turned into activities by the workers, so that building and signing them costs the web role nothing).
  await db.schema
    .alterTable('queue_messages')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('fedify'))
    .execute();
  await db.schema.createIndex('queue_messages_channel').on('queue_messages').columns(['channel', 'available_at']).execute();

  // Web Push (Mastodon's push API): one subscription per access token, gone with the token.
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().unique().references('oauth_tokens.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    // The access token itself, sealed: Mastodon's push payload names it, so that the app knows which account.
    .addColumn('access_token', 'text', (c) => c.notNull())
    .addColumn('alerts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('policy', 'text', (c) => c.notNull().defaultTo('all'))
    .addColumn('standard', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('push_subscriptions_account').on('push_subscriptions').column('account_id').execute();

  // Key pairs of the server itself beyond its actor's (the VAPID pair Web Push is signed with); private halves sealed.
  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}
