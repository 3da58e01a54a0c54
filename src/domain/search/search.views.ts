import { sql, type SqlBool } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import type { AccountRow } from '../accounts/accounts.repo.ts';
import type { SearchIndex } from '../statuses/search-index.ts';
import type { StatusRow } from '../statuses/statuses.repo.ts';
import { notLimitedFor, notMutedBy, visibleTo } from '../statuses/visibility-policy.ts';

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** How an account search is asked. */
export interface AccountQuery {
  /** Words the username or display name starts with (`@` left off). */
  readonly term: string;
  /** A full handle: exactly this account (`domain` null for a local one). */
  readonly handle?: { readonly username: string; readonly domain: string | null } | undefined;
  readonly viewerId: string | null;
  /** Only accounts the viewer follows. */
  readonly following?: boolean | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Accounts by name or handle (not suspended, none blocked either way with the viewer, not limited to strangers), exact names first. */
export function searchAccounts(db: DbReader, q: AccountQuery): Promise<AccountRow[]> {
  let query = db.selectFrom('accounts').selectAll().where('suspended_at', 'is', null);
  if (q.handle) {
    const { username, domain } = q.handle;
    query = query
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .where((eb) => (domain === null ? eb('domain', 'is', null) : eb('domain', '=', domain)));
  } else {
    const pattern = likePrefix(q.term.toLowerCase());
    query = query.where((eb) =>
      eb.or([eb(eb.fn('lower', ['username']), 'like', pattern), eb(eb.fn('lower', ['display_name']), 'like', pattern)]),
    );
    // A limited account is found by its exact handle only, except by its followers.
    query = query.where(
      q.viewerId
        ? sql<SqlBool>`(accounts.silenced_at is null or accounts.id in (select target_account_id from follows where account_id = ${q.viewerId}))`
        : sql<SqlBool>`accounts.silenced_at is null`,
    );
  }
  if (q.viewerId) {
    query = query.where(
      sql<SqlBool>`not exists (select 1 from blocks b where (b.account_id = ${q.viewerId} and b.target_account_id = accounts.id) or (b.account_id = accounts.id and b.target_account_id = ${q.viewerId}))`,
    );
    if (q.following)
      query = query.where(sql<SqlBool>`accounts.id in (select target_account_id from follows where account_id = ${q.viewerId})`);
  }
  return query
    .orderBy(sql`case when lower(username) = ${q.term.toLowerCase()} then 0 else 1 end`)
    .orderBy('username')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
}

/**
 * Hashtag names starting with `prefix`, among those used in a public or unlisted post: a hashtag used only
 * in followers-only or direct posts is not discoverable.
 */
export async function searchTags(db: DbReader, prefix: string, limit: number, offset: number): Promise<string[]> {
  const rows = await db
    .selectFrom('tags')
    .select('name')
    .where((eb) => eb(eb.fn('lower', ['name']), 'like', likePrefix(prefix.toLowerCase())))
    .where(
      sql<SqlBool>`exists (select 1 from status_tags st join statuses s on s.id = st.status_id where st.tag_id = tags.id and s.visibility in ('public', 'unlisted'))`,
    )
    .orderBy('name')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((t) => t.name);
}

/** A hashtag's name as first written, if it exists. */
export async function findTagName(db: DbReader, name: string): Promise<string | undefined> {
  const tag = await db
    .selectFrom('tags')
    .select('name')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return tag?.name;
}

/** Which posts full-text search looks through (always within what the searcher may see). */
export type StatusSearchScope = 'visible' | 'opted-in' | 'interacted';

/** How a full-text search of statuses is asked. */
export interface StatusQuery {
  readonly q: string;
  readonly viewerId: string;
  readonly now: string;
  readonly scope: StatusSearchScope;
  readonly accountId?: string | undefined;
  readonly maxId?: string | undefined;
  readonly minId?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** At most how many matching statuses are checked against the visibility policy at once. */
const LOOKUP_CHUNK = 50;

/**
 * Statuses whose text has every word of the query, newest first, as the searcher may see them and the
 * operator allows. Matches come from the index newest first and are looked up a few at a time; reading
 * stops as soon as the page is full (most matches are visible: the first batch holds about twice the page).
 */
export async function searchStatuses(db: DbReader, index: SearchIndex, q: StatusQuery): Promise<StatusRow[]> {
  const interacted = sql<SqlBool>`(statuses.account_id = ${q.viewerId}
    or exists (select 1 from favourites f where f.status_id = statuses.id and f.account_id = ${q.viewerId})
    or exists (select 1 from bookmarks k where k.status_id = statuses.id and k.account_id = ${q.viewerId})
    or exists (select 1 from mentions m where m.status_id = statuses.id and m.account_id = ${q.viewerId})
    or exists (select 1 from statuses r where r.reblog_of_id = statuses.id and r.account_id = ${q.viewerId}))`;
  const wanted = q.offset + q.limit;
  const rows: StatusRow[] = [];
  search: for await (const batch of index.batches(db, q.q, { maxId: q.maxId, first: 2 * wanted })) {
    const candidates = batch.filter((id) => !q.minId || id > q.minId);
    for (let start = 0; start < candidates.length;) {
      const chunk = candidates.slice(start, (start += Math.min(LOOKUP_CHUNK, wanted - rows.length + 5)));
      let query = db
        .selectFrom('statuses')
        .selectAll('statuses')
        .where('statuses.id', 'in', chunk)
        .where('statuses.reblog_of_id', 'is', null)
        .where(visibleTo(q.viewerId))
        .where(notLimitedFor(q.viewerId))
        .where(notMutedBy(q.viewerId, q.now));
      if (q.scope === 'interacted') query = query.where(interacted);
      if (q.scope === 'opted-in') {
        query = query.where(
          sql<SqlBool>`(${interacted} or exists (select 1 from accounts o where o.id = statuses.account_id and o.discoverable = ${true}))`,
        );
      }
      if (q.accountId) query = query.where('statuses.account_id', '=', q.accountId);
      rows.push(...(await query.execute()).sort((a, b) => (a.id < b.id ? 1 : -1)));
      if (rows.length >= wanted) break search;
    }
  }
  return rows.slice(q.offset, wanted);
}
