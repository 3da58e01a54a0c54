import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Federation: the key pairs that sign for local actors (and the instance actor), Fedify's key-value store
 * and message queue over Stoa's own database, tombstones of deleted local objects, and account moves.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const ts = sql.raw(columnTypes(engine).timestamp);

  // `owner` is a local account's id, or `instance` for the server's own actor. Private keys are sealed
  // with a key derived from the server secret; both are part of every backup.
  await db.schema
    .createTable('actor_keys')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('rsa_public', 'text', (c) => c.notNull())
    .addColumn('rsa_private', 'text', (c) => c.notNull())
    .addColumn('ed25519_public', 'text', (c) => c.notNull())
    .addColumn('ed25519_private', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  // Keys are JSON arrays of strings; values are JSON. Expired entries read as absent and are swept.
  await db.schema
    .createTable('kv_entries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', ts)
    .execute();
  await db.schema.createIndex('kv_entries_expires_at').on('kv_entries').column('expires_at').execute();

  // A message is claimed by setting `locked_until` (a lease) and removed once handled; a worker that
  // dies leaves it to be claimed again when the lease ends. Within an ordering key, ids give the order.
  await db.schema
    .createTable('queue_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text')
    .addColumn('available_at', ts, (c) => c.notNull())
    .addColumn('locked_until', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queue_messages_available_at').on('queue_messages').column('available_at').execute();
  await sql`create index queue_messages_ordering_key on queue_messages (ordering_key, id) where ordering_key is not null`.execute(db);

  // What remains of a deleted local account or status: its URI and when it went, so that its URL answers
  // 410 Gone and a late copy from elsewhere is not taken for a new object.
  await db.schema
    .createTable('tombstones')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('deleted_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('accounts')
    .addColumn('also_known_as', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('accounts').addColumn('moved_to_account_id', 'text').execute();
}
