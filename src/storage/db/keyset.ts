import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * A window of a list ordered by a time-ordered key (UUIDv7 ids sort by creation time), as Mastodon pages:
 * before `maxId`; after `sinceId` (the newest first) or after `minId` (the oldest first); `limit` rows.
 */
export interface Window {
  readonly maxId?: string | undefined;
  readonly sinceId?: string | undefined;
  readonly minId?: string | undefined;
  readonly limit: number;
}

/** What a window needs of a query: any Kysely select can be narrowed, ordered, limited and run. */
interface Windowable<Q> {
  where(condition: Expression<SqlBool>): Q;
  orderBy(key: Expression<unknown>, direction: 'asc' | 'desc'): Q;
  limit(limit: number): Q;
  execute(): Promise<unknown[]>;
}

/** The condition that keeps the keys inside a window's bounds. */
export function withinWindow(key: string, window: Window): RawBuilder<SqlBool> {
  const after = window.minId ?? window.sinceId;
  const before = window.maxId ? sql`${sql.ref(key)} < ${window.maxId}` : sql`1 = 1`;
  return sql<SqlBool>`(${before} and ${after ? sql`${sql.ref(key)} > ${after}` : sql`1 = 1`})`;
}

/**
 * Reads one window of `query`, newest first, by the key column `key`. With `minId` it reads forward from
 * there (the page just after it, not the newest page) and returns that page newest first too. The one
 * keyset-paging helper of every list.
 */
export async function readWindow<Q extends Windowable<Q>>(
  query: Q,
  key: string,
  window: Window,
): Promise<Awaited<ReturnType<Q['execute']>>> {
  type Rows = Awaited<ReturnType<Q['execute']>>;
  const narrowed = query.where(withinWindow(key, window));
  if (window.minId) return (await narrowed.orderBy(sql.ref(key), 'asc').limit(window.limit).execute()).reverse() as Rows;
  return (await narrowed.orderBy(sql.ref(key), 'desc').limit(window.limit).execute()) as Rows;
}
