import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Custom emoji: this server's (added by the operator, `domain` null) and other servers' (learnt from the
 * `Emoji` tags of their posts and profiles). Each shortcode is used once per server. A remote emoji's
 * image is fetched by the workers; until then (or if that fails) it has no image and is not shown.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('custom_emojis')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shortcode', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('uri', 'text')
    .addColumn('remote_url', 'text')
    .addColumn('image_key', 'text')
    .addColumn('static_key', 'text')
    .addColumn('category', 'text')
    .addColumn('visible_in_picker', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await sql`create unique index custom_emojis_once on custom_emojis (shortcode, coalesce(domain, ''))`.execute(db);
}
