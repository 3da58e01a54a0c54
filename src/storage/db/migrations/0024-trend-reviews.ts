import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Moderators' reviews of what may trend: a hashtag or a link trends only once approved; a post trends
 * unless rejected. One review per thing, the latest standing.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { timestamp: ts } = columnTypes(engine);
  await db.schema
    .createTable('trend_reviews')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('trendable', 'boolean', (c) => c.notNull())
    .addColumn('reviewed_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('trend_reviews_pk', ['kind', 'target_id'])
    .execute();
}
