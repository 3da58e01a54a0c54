import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Moderation: what moderators do to accounts (limit, mark sensitive, disable, suspend) and to other
 * servers (domain blocks and allows), the sign-up blocks (email domains, addresses, canonical emails),
 * strikes with their appeals, who handles a report, and the audit log, hash-chained from one head row.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);

  await db.schema.alterTable('accounts').addColumn('silenced_at', sql.raw(ts)).execute();
  await db.schema.alterTable('accounts').addColumn('sensitized_at', sql.raw(ts)).execute();
  // Why an account is suspended or limited: by a moderator (`moderator`) or with its whole server (`domain`).
  await db.schema.alterTable('accounts').addColumn('suspension_origin', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('silence_origin', 'text').execute();
  await db.schema.alterTable('users').addColumn('disabled_at', sql.raw(ts)).execute();
  await db.schema.alterTable('users').addColumn('sign_up_ip', 'text').execute();

  await db.schema
    .alterTable('reports')
    .addColumn('assigned_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();
  await db.schema
    .alterTable('reports')
    .addColumn('action_taken_by_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('reports').addColumn('updated_at', sql.raw(ts)).execute();

  await db.schema
    .createTable('domain_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain', 'text', (c) => c.notNull().unique())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('silence', 'suspend', 'noop')`))
    .addColumn('reject_media', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reject_reports', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('private_comment', 'text')
    .addColumn('public_comment', 'text')
    .addColumn('obfuscate', 'boolean', (c) => c.notNull().defaultTo(false))
    // Where the block came from: null when a moderator made it, else the import or list it was read from.
    .addColumn('source', 'text')
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(ts), (c) => c.notNull())
    .execute();
  // Blocklists an admin subscribed to: fetched on a schedule, their blocks recorded with the list as source.
  await db.schema
    .createTable('blocklist_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('fetched_at', sql.raw(ts))
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createTable('domain_allows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('email_domain_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ip_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ip', 'text', (c) => c.notNull().unique())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('sign_up_requires_approval', 'sign_up_block', 'no_access')`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('expires_at', sql.raw(ts))
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(ts), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('canonical_email_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('canonical_email_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .execute();

  // A strike: what a moderator did to an account and why, which its owner sees and may appeal once.
  await db.schema
    .createTable('account_warnings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('target_account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('report_id', 'text', (c) => c.references('reports.id').onDelete('set null'))
    .addColumn('status_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('appeal_text', 'text')
    .addColumn('appealed_at', sql.raw(ts))
    .addColumn('appeal_state', 'text', (c) => c.check(sql`appeal_state in ('pending', 'approved', 'rejected')`))
    .addColumn('appeal_decided_by_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('appeal_decided_at', sql.raw(ts))
    .execute();
  // Notifications about a strike (`moderation_warning`) or a report (`admin.report`) name it.
  await db.schema
    .alterTable('notifications')
    .addColumn('account_warning_id', 'text', (c) => c.references('account_warnings.id').onDelete('cascade'))
    .execute();
  await db.schema
    .alterTable('notifications')
    .addColumn('report_id', 'text', (c) => c.references('reports.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('account_warnings_target').on('account_warnings').columns(['target_account_id', 'id']).execute();

  // The audit log: append only, each entry's hash covering the previous one's, so that an edited or
  // removed entry breaks the chain. The head row serializes appends (its update locks it on PostgreSQL).
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('account_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);
}
