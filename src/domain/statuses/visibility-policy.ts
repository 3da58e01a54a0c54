import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import { NotFound } from '../errors.ts';
import { findStatusById, type StatusRow } from './statuses.repo.ts';

/**
 * The one place that decides who may see a status. Every read path (single statuses, threads, timelines,
 * notifications, search, profiles, public pages) filters with `visibleTo`, so the rules cannot drift:
 *
 * - the author's account is not suspended;
 * - public and unlisted posts are visible to anyone; followers-only posts to the author, accepted followers
 *   and mentioned accounts; direct posts to the author and the mentioned;
 * - a block hides posts both ways; a viewer's domain block hides that domain;
 * - a repost is visible only if the reposted status is too (`reblogVisibleTo`).
 *
 * Mutes are a viewer's preference, not an access rule: lists apply `notMutedBy` on top.
 * `alias` names the statuses table in the query (`statuses` unless it is joined under another name).
 */
export function visibleTo(viewerId: string | null, alias = 'statuses'): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const suspended = sql`exists (select 1 from accounts author where author.id = ${col('account_id')} and author.suspended_at is not null)`;
  const openly = sql`${col('visibility')} in ('public', 'unlisted')`;
  // Written as CASE, not OR: the rules filter the rows a query walks (by id, by author, by hashtag)
  // instead of becoming an index scan of their own over every public post.
  if (viewerId === null) return sql<SqlBool>`(case when ${suspended} then 0 when ${openly} then 1 else 0 end) = 1`;
  const mentioned = sql`exists (select 1 from mentions m where m.status_id = ${col('id')} and m.account_id = ${viewerId})`;
  const follows = sql`exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = ${col('account_id')})`;
  const blocked = sql`exists (select 1 from blocks b where (b.account_id = ${viewerId} and b.target_account_id = ${col('account_id')}) or (b.account_id = ${col('account_id')} and b.target_account_id = ${viewerId}))`;
  const domainBlocked = sql`exists (select 1 from account_domain_blocks d where d.account_id = ${viewerId} and d.domain = ${col('domain')})`;
  return sql<SqlBool>`(case
    when ${suspended} then 0
    when ${col('account_id')} = ${viewerId} then 1
    when ${blocked} then 0
    when ${col('domain')} is not null and ${domainBlocked} then 0
    when ${openly} then 1
    when ${col('visibility')} = 'private' and (${follows} or ${mentioned}) then 1
    when ${col('visibility')} = 'direct' and ${mentioned} then 1
    else 0 end) = 1`;
}

/** A repost is visible only when what it reposts is visible too. */
export function reblogVisibleTo(viewerId: string | null, alias = 'statuses'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${alias}.reblog_of_id`)} is null or exists (select 1 from statuses original where original.id = ${sql.ref(`${alias}.reblog_of_id`)} and ${visibleTo(viewerId, 'original')}))`;
}

/** Hides statuses (and reposts) by accounts the viewer muted, in lists; expired mutes no longer count. */
export function notMutedBy(viewerId: string | null, now: string, alias = 'statuses'): RawBuilder<SqlBool> {
  if (viewerId === null) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`not exists (select 1 from mutes mu where mu.account_id = ${viewerId} and mu.target_account_id = ${sql.ref(`${alias}.account_id`)} and (mu.expires_at is null or mu.expires_at > ${now}))`;
}

/**
 * Keeps posts of limited accounts (silenced by a moderator, or with their server) out of the shared places
 * (public and hashtag timelines, search) for everyone but their followers and themselves.
 */
export function notLimitedFor(viewerId: string | null, alias = 'statuses'): RawBuilder<SqlBool> {
  const author = sql.ref(`${alias}.account_id`);
  const limited = sql`exists (select 1 from accounts lim where lim.id = ${author} and lim.silenced_at is not null)`;
  if (viewerId === null) return sql<SqlBool>`not ${limited}`;
  return sql<SqlBool>`(not ${limited} or ${author} = ${viewerId} or exists (select 1 from follows lf where lf.account_id = ${viewerId} and lf.target_account_id = ${author}))`;
}

/** Whether one status is visible to the viewer: the same rules, asked of one row. */
export async function canSee(db: DbReader, viewerId: string | null, statusId: string): Promise<boolean> {
  const row = await db
    .selectFrom('statuses')
    .select('statuses.id')
    .where('statuses.id', '=', statusId)
    .where(visibleTo(viewerId))
    .where(reblogVisibleTo(viewerId))
    .executeTakeFirst();
  return row !== undefined;
}

/** A status the viewer may see, or `NotFound` (the same answer for a hidden status as for a missing one). */
export async function visibleStatus(db: DbReader, viewerId: string | null, statusId: string): Promise<StatusRow> {
  const status = await findStatusById(db, statusId);
  if (!status || !(await canSee(db, viewerId, statusId))) throw new NotFound();
  return status;
}
