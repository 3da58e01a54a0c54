import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Polls on posts, local and remote, and the votes cast in them. A local poll counts its votes; a remote
 * one keeps the counts its server last told (`tallies`), plus the votes cast from here since.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('polls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status_id', 'text', (c) => c.notNull().unique().references('statuses.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('tallies', 'text')
    .addColumn('voters_count', 'integer')
    .addColumn('multiple', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('hide_totals', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('expires_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('tally_due', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('poll_votes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('choice', 'integer', (c) => c.notNull())
    .addColumn('uri', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('poll_votes_once', ['poll_id', 'account_id', 'choice'])
    .execute();
  await db.schema.createIndex('poll_votes_account').on('poll_votes').columns(['account_id', 'poll_id']).execute();
}
