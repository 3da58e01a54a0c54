import { sql, type SqlBool } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import { hasExclusiveList, type ListRow } from '../lists/lists.ts';
import type { StatusRow } from '../statuses/statuses.repo.ts';
import { notLimitedFor, notMutedBy, reblogVisibleTo, visibleTo } from '../statuses/visibility-policy.ts';

const hasMedia = sql<SqlBool>`exists (select 1 from media_attachments m where m.status_id = statuses.id)`;

function base(db: DbReader, viewerId: string | null, now: string) {
  return db
    .selectFrom('statuses')
    .selectAll('statuses')
    .where(visibleTo(viewerId))
    .where(reblogVisibleTo(viewerId))
    .where(notMutedBy(viewerId, now));
}

/**
 * The home timeline, built at read time from the indexes (see docs/adr/0006): the viewer's own posts, posts
 * and reposts of followed accounts (unless their reposts are hidden), posts with followed hashtags;
 * replies only when they answer the viewer or someone the viewer follows. Direct posts are not included.
 * A post reposted several times in one page is shown once, as its newest repost.
 */
export async function homeTimeline(db: DbReader, viewerId: string, now: string, w: Window): Promise<StatusRow[]> {
  const followsTags =
    (await db.selectFrom('tag_follows').select('tag_id').where('account_id', '=', viewerId).limit(1).executeTakeFirst()) !== undefined;
  let query = homeQuery(db, viewerId, now, followsTags);
  // The members of the viewer's exclusive lists are read in their lists only.
  if (await hasExclusiveList(db, viewerId))
    query = query.where(
      sql<SqlBool>`not exists (select 1 from list_accounts la join lists l on l.id = la.list_id where l.account_id = ${viewerId} and l.exclusive = ${true} and la.account_id = statuses.account_id and statuses.account_id != ${viewerId})`,
    );
  return onePerPost(await readWindow(query, 'statuses.id', w));
}

/** A post reposted several times in one page is shown once, as its newest repost. */
function onePerPost(rows: StatusRow[]): StatusRow[] {
  const seen = new Set<string>();
  return rows.filter((s) => {
    const key = s.reblog_of_id ?? s.id;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A list's timeline: posts and reposts by its members, as the owner may see them, with replies as its
 * policy says (to anyone the owner follows, to the list's members, or none); a reply to the owner is
 * always shown. Direct posts are not included.
 */
export async function listTimeline(db: DbReader, list: ListRow, now: string, w: Window): Promise<StatusRow[]> {
  const viewerId = list.account_id;
  const member = (column: string) =>
    sql`exists (select 1 from list_accounts la where la.list_id = ${list.id} and la.account_id = ${sql.ref(column)})`;
  const answered =
    list.replies_policy === 'followed'
      ? sql`or exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = statuses.in_reply_to_account_id)`
      : list.replies_policy === 'list'
        ? sql`or ${member('statuses.in_reply_to_account_id')}`
        : sql``;
  const query = base(db, viewerId, now)
    .where(sql<SqlBool>`${member('statuses.account_id')}`)
    .where('statuses.visibility', '!=', 'direct')
    .where(
      sql<SqlBool>`(statuses.in_reply_to_account_id is null or statuses.in_reply_to_account_id = statuses.account_id or statuses.in_reply_to_account_id = ${viewerId} ${answered})`,
    )
    .where(
      sql<SqlBool>`(statuses.reblog_of_id is null or not exists (select 1 from follows nr where nr.account_id = ${viewerId} and nr.target_account_id = statuses.account_id and nr.show_reblogs = ${false}))`,
    );
  return onePerPost(await readWindow(query, 'statuses.id', w));
}

/** What a home timeline page depends on beyond the statuses it shows (for the home cache). */
export async function homeInputs(
  db: DbReader,
  viewerId: string,
  now: string,
): Promise<{ authors: string[]; tags: string[]; validUntil: number }> {
  const follows = await db.selectFrom('follows').select('target_account_id').where('account_id', '=', viewerId).execute();
  const tags = await db
    .selectFrom('tag_follows')
    .innerJoin('tags', 'tags.id', 'tag_follows.tag_id')
    .select('tags.name')
    .where('tag_follows.account_id', '=', viewerId)
    .execute();
  const mute = await db
    .selectFrom('mutes')
    .select((eb) => eb.fn.min('expires_at').as('until'))
    .where('account_id', '=', viewerId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  // A filter that runs out changes the page too.
  const filter = await db
    .selectFrom('filters')
    .select((eb) => eb.fn.min('expires_at').as('until'))
    .where('account_id', '=', viewerId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const ends = [mute?.until, filter?.until].flatMap((t) => (t ? [Date.parse(String(t))] : []));
  return {
    authors: [viewerId, ...follows.map((f) => f.target_account_id)],
    tags: tags.map((t) => t.name),
    validUntil: Math.min(Number.POSITIVE_INFINITY, ...ends),
  };
}

/** The home timeline's query, before its window. */
export function homeQuery(db: DbReader, viewerId: string, now: string, followsTags = true) {
  // A correlated probe of the follows index per row, not `in (select ...)`: SQLite would build the list of
  // every followed account on each request (2,000 rows for a heavy reader) before reading one status.
  const follows = (column: string) =>
    sql`exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = ${sql.ref(column)})`;
  const taggedBranch = followsTags
    ? sql`when exists (select 1 from status_tags st join tag_follows tf on tf.tag_id = st.tag_id where st.status_id = statuses.id and tf.account_id = ${viewerId}) then 1`
    : sql``;
  // Cheap membership tests first, the visibility rules (correlated lookups) only on the rows that pass.
  // CASE rather than OR, so that the query walks statuses newest first and keeps those it wants,
  // instead of gathering every post of every followed account and sorting them. The hashtag branch is
  // left out for a viewer who follows no hashtag, so that each row passed over costs no lookup.
  return db
    .selectFrom('statuses')
    .selectAll('statuses')
    .where(
      sql<SqlBool>`(case
        when statuses.account_id = ${viewerId} then 1
        when ${follows('statuses.account_id')} then 1
        ${taggedBranch}
        else 0 end) = 1`,
    )
    .where('statuses.visibility', '!=', 'direct')
    .where(
      sql<SqlBool>`(statuses.in_reply_to_account_id is null or statuses.in_reply_to_account_id = statuses.account_id or statuses.in_reply_to_account_id = ${viewerId} or ${follows('statuses.in_reply_to_account_id')})`,
    )
    .where(
      sql<SqlBool>`(statuses.reblog_of_id is null or not exists (select 1 from follows nr where nr.account_id = ${viewerId} and nr.target_account_id = statuses.account_id and nr.show_reblogs = ${false}))`,
    )
    .where(
      sql<SqlBool>`(statuses.reblog_of_id is null or not exists (select 1 from statuses own where own.id = statuses.reblog_of_id and own.account_id = ${viewerId}))`,
    )
    .where(visibleTo(viewerId))
    .where(reblogVisibleTo(viewerId))
    .where(notMutedBy(viewerId, now));
}

/** The public timeline: public posts (no reposts, none of limited accounts), local or remote only if asked. */
export function publicTimeline(
  db: DbReader,
  viewerId: string | null,
  now: string,
  w: Window,
  options: { local?: boolean | undefined; remote?: boolean | undefined; onlyMedia?: boolean | undefined },
) {
  let query = base(db, viewerId, now)
    .where('statuses.visibility', '=', 'public')
    .where('statuses.reblog_of_id', 'is', null)
    .where(notLimitedFor(viewerId));
  if (options.local) query = query.where('statuses.domain', 'is', null);
  if (options.remote) query = query.where('statuses.domain', 'is not', null);
  if (options.onlyMedia) query = query.where(hasMedia);
  return readWindow(query, 'statuses.id', w);
}

/** Public posts with a hashtag (and, optionally, any of, all of, none of some others). */
export function tagTimeline(
  db: DbReader,
  viewerId: string | null,
  now: string,
  w: Window,
  tags: {
    name: string;
    any?: string[] | undefined;
    all?: string[] | undefined;
    none?: string[] | undefined;
    local?: boolean | undefined;
    remote?: boolean | undefined;
  },
) {
  const has = (name: string) =>
    sql<SqlBool>`exists (select 1 from status_tags st join tags t on t.id = st.tag_id where st.status_id = statuses.id and lower(t.name) = ${name.toLowerCase()})`;
  let query = base(db, viewerId, now)
    .where('statuses.visibility', '=', 'public')
    .where('statuses.reblog_of_id', 'is', null)
    .where(notLimitedFor(viewerId));
  const anyOf = [tags.name, ...(tags.any ?? [])];
  query = query.where(sql<SqlBool>`(${sql.join(anyOf.map(has), sql` or `)})`);
  for (const name of tags.all ?? []) query = query.where(has(name));
  for (const name of tags.none ?? []) query = query.where(sql<SqlBool>`not ${has(name)}`);
  if (tags.local) query = query.where('statuses.domain', 'is', null);
  if (tags.remote) query = query.where('statuses.domain', 'is not', null);
  return readWindow(query, 'statuses.id', w);
}

/** An account's posts as the viewer may see them, with Mastodon's filters. */
export function accountTimeline(
  db: DbReader,
  viewerId: string | null,
  now: string,
  accountId: string,
  w: Window,
  options: {
    excludeReplies?: boolean | undefined;
    excludeReblogs?: boolean | undefined;
    onlyMedia?: boolean | undefined;
    pinned?: boolean | undefined;
    tagged?: string | undefined;
  },
) {
  let query = db
    .selectFrom('statuses')
    .selectAll('statuses')
    .where('statuses.account_id', '=', accountId)
    .where(visibleTo(viewerId))
    .where(reblogVisibleTo(viewerId));
  // Direct posts are conversations, never part of a profile, except to their author.
  if (viewerId !== accountId) query = query.where('statuses.visibility', '!=', 'direct');
  if (options.excludeReplies)
    query = query.where(sql<SqlBool>`(statuses.in_reply_to_id is null or statuses.in_reply_to_account_id = statuses.account_id)`);
  if (options.excludeReblogs) query = query.where('statuses.reblog_of_id', 'is', null);
  if (options.onlyMedia) query = query.where(hasMedia);
  if (options.pinned)
    query = query.where(sql<SqlBool>`exists (select 1 from pins p where p.status_id = statuses.id and p.account_id = ${accountId})`);
  if (options.tagged)
    query = query.where(
      sql<SqlBool>`exists (select 1 from status_tags st join tags t on t.id = st.tag_id where st.status_id = statuses.id and lower(t.name) = ${options.tagged.toLowerCase()})`,
    );
  return readWindow(query, 'statuses.id', w);
}

/** The viewer's bookmarks or favourites, newest mark first; the cursor is the mark's id. */
export async function markedStatuses(
  db: DbReader,
  viewerId: string,
  table: 'bookmarks' | 'favourites',
  w: Window,
): Promise<{ cursor: string; status: StatusRow }[]> {
  const query = db
    .selectFrom('statuses')
    .innerJoin(`${table} as mark`, 'mark.status_id', 'statuses.id')
    .selectAll('statuses')
    .select('mark.id as cursor')
    .where('mark.account_id', '=', viewerId)
    .where(visibleTo(viewerId));
  const rows = await readWindow(query, 'mark.id', w);
  return rows.map(({ cursor, ...status }) => ({ cursor, status }));
}
