import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Link preview cards: what the page at a URL says of itself (OpenGraph, oEmbed), fetched once per URL by
 * the workers and shared by every post that links it; and which card each post shows (its first link's).
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('preview_cards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_url', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('provider_url', 'text', (c) => c.notNull())
    .addColumn('image_key', 'text')
    .addColumn('width', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('height', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blurhash', 'text')
    .addColumn('language', 'text')
    .addColumn('published_at', ts)
    .addColumn('fetched_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('status_cards')
    .addColumn('status_id', 'text', (c) => c.primaryKey().references('statuses.id').onDelete('cascade'))
    .addColumn('card_id', 'text', (c) => c.notNull().references('preview_cards.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('status_cards_by_card').on('status_cards').column('card_id').execute();
}
