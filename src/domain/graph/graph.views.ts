import { sql, type SqlBool } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import type { AccountRow } from '../accounts/accounts.repo.ts';
import { endorsedAmong, notesOn } from '../discovery/profile-picks.ts';

/** How one account stands to another, as Mastodon's Relationship entity tells it. */
export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  /** Whether the viewer features the account on their profile. */
  endorsed: boolean;
  /** The viewer's private note on the account (empty when none). */
  note: string;
}

/** The relationships of `viewerId` to each of `ids`, in a fixed number of queries. */
export async function relationships(db: DbReader, viewerId: string, ids: readonly string[], now: string): Promise<Relationship[]> {
  if (ids.length === 0) return [];
  const list = [...ids];
  const [following, followedBy, blocking, blockedBy, muting, requested, requestedBy, targets, domainBlocks, notes, endorsed] =
    await Promise.all([
      db
        .selectFrom('follows')
        .select(['target_account_id as id', 'show_reblogs', 'notify'])
        .where('account_id', '=', viewerId)
        .where('target_account_id', 'in', list)
        .execute(),
      db
        .selectFrom('follows')
        .select('account_id as id')
        .where('target_account_id', '=', viewerId)
        .where('account_id', 'in', list)
        .execute(),
      db
        .selectFrom('blocks')
        .select('target_account_id as id')
        .where('account_id', '=', viewerId)
        .where('target_account_id', 'in', list)
        .execute(),
      db
        .selectFrom('blocks')
        .select('account_id as id')
        .where('target_account_id', '=', viewerId)
        .where('account_id', 'in', list)
        .execute(),
      db
        .selectFrom('mutes')
        .select(['target_account_id as id', 'hide_notifications'])
        .where('account_id', '=', viewerId)
        .where('target_account_id', 'in', list)
        .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)]))
        .execute(),
      db
        .selectFrom('follow_requests')
        .select('target_account_id as id')
        .where('account_id', '=', viewerId)
        .where('target_account_id', 'in', list)
        .execute(),
      db
        .selectFrom('follow_requests')
        .select('account_id as id')
        .where('target_account_id', '=', viewerId)
        .where('account_id', 'in', list)
        .execute(),
      db.selectFrom('accounts').select(['id', 'domain']).where('id', 'in', list).execute(),
      db.selectFrom('account_domain_blocks').select('domain').where('account_id', '=', viewerId).execute(),
      notesOn(db, viewerId, list),
      endorsedAmong(db, viewerId, list),
    ]);
  const set = (rows: { id: string }[]) => new Set(rows.map((r) => r.id));
  const [followedBySet, blockingSet, blockedBySet, requestedSet, requestedBySet] = [
    set(followedBy),
    set(blocking),
    set(blockedBy),
    set(requested),
    set(requestedBy),
  ];
  const follows = new Map(following.map((f) => [f.id, f]));
  const mutes = new Map(muting.map((m) => [m.id, m]));
  const domains = new Map(targets.map((t) => [t.id, t.domain]));
  const blockedDomains = new Set(domainBlocks.map((d) => d.domain));
  return list.map((id) => {
    const follow = follows.get(id);
    const mute = mutes.get(id);
    const domain = domains.get(id);
    return {
      id,
      following: follow !== undefined,
      showing_reblogs: follow ? toBool(follow.show_reblogs) : false,
      notifying: follow ? toBool(follow.notify) : false,
      followed_by: followedBySet.has(id),
      blocking: blockingSet.has(id),
      blocked_by: blockedBySet.has(id),
      muting: mute !== undefined,
      muting_notifications: mute ? toBool(mute.hide_notifications) : false,
      requested: requestedSet.has(id),
      requested_by: requestedBySet.has(id),
      domain_blocking: domain ? blockedDomains.has(domain) : false,
      endorsed: endorsed.has(id),
      note: notes.get(id) ?? '',
    };
  });
}

/** One entry of a list of accounts paged by the id of the row that lists it. */
export interface ListedAccount {
  readonly cursor: string;
  readonly account_id: string;
}

/** A page of an account's followers or of the accounts it follows, newest follow first. */
export function followsPage(db: DbReader, ownerId: string, kind: 'followers' | 'following', window: Window): Promise<ListedAccount[]> {
  const [mine, theirs] =
    kind === 'followers' ? (['target_account_id', 'account_id'] as const) : (['account_id', 'target_account_id'] as const);
  return readWindow(
    db
      .selectFrom('follows')
      .select(['follows.id as cursor', `follows.${theirs} as account_id`])
      .where(`follows.${mine}`, '=', ownerId),
    'follows.id',
    window,
  );
}

/** A page of the accounts that asked the owner to follow, that it blocks, or that it mutes (live mutes only). */
export function ownListPage(
  db: DbReader,
  ownerId: string,
  list: 'follow_requests' | 'blocks' | 'mutes',
  window: Window,
  now: string,
): Promise<ListedAccount[]> {
  if (list === 'follow_requests') {
    return readWindow(
      db.selectFrom('follow_requests').select(['id as cursor', 'account_id']).where('target_account_id', '=', ownerId),
      'follow_requests.id',
      window,
    );
  }
  if (list === 'blocks') {
    return readWindow(
      db.selectFrom('blocks').select(['id as cursor', 'target_account_id as account_id']).where('account_id', '=', ownerId),
      'blocks.id',
      window,
    );
  }
  return readWindow(
    db
      .selectFrom('mutes')
      .select(['id as cursor', 'target_account_id as account_id'])
      .where('account_id', '=', ownerId)
      .where(sql<SqlBool>`(expires_at is null or expires_at > ${now})`),
    'mutes.id',
    window,
  );
}

/** The servers an account hides, by name. */
export async function domainBlocksOf(db: DbReader, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('account_domain_blocks')
    .select('domain')
    .where('account_id', '=', accountId)
    .orderBy('domain')
    .limit(1000)
    .execute();
  return rows.map((r) => r.domain);
}

/** The hashtags an account follows, by name. */
export async function followedTagNames(db: DbReader, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tag_follows')
    .innerJoin('tags', 'tags.id', 'tag_follows.tag_id')
    .select('tags.name')
    .where('tag_follows.account_id', '=', accountId)
    .orderBy('tags.name')
    .limit(200)
    .execute();
  return rows.map((r) => r.name);
}

/** Whether an account follows a hashtag (by name, without regard to case). */
export async function followsTag(db: DbReader, accountId: string, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('tag_follows')
    .innerJoin('tags', 'tags.id', 'tag_follows.tag_id')
    .select('tags.id')
    .where('tag_follows.account_id', '=', accountId)
    .where((eb) => eb(eb.fn('lower', ['tags.name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}

/** Where an account receives activities: its actor, inbox and shared inbox. */
export type InboxAddress = Pick<AccountRow, 'id' | 'uri' | 'inbox_url' | 'shared_inbox_url'>;

/**
 * One page of an account's followers (`followers`) or of the accounts it follows (`following`), for its
 * ActivityPub collection; `offset` rows in, newest first.
 */
export function followCollectionPage(
  db: DbReader,
  accountId: string,
  kind: 'followers' | 'following',
  offset: number,
  limit: number,
): Promise<InboxAddress[]> {
  const [mine, theirs] =
    kind === 'followers' ? (['target_account_id', 'account_id'] as const) : (['account_id', 'target_account_id'] as const);
  return db
    .selectFrom('follows')
    .innerJoin('accounts', 'accounts.id', `follows.${theirs}`)
    .select(['accounts.id', 'accounts.uri', 'accounts.inbox_url', 'accounts.shared_inbox_url'])
    .where(`follows.${mine}`, '=', accountId)
    .orderBy('follows.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** The remote accounts that follow `accountId`: where its posts go (an index of remote followers alone). */
export function remoteFollowers(db: DbReader, accountId: string): Promise<InboxAddress[]> {
  return db
    .selectFrom('follows')
    .innerJoin('accounts', 'accounts.id', 'follows.account_id')
    .select(['accounts.id', 'accounts.uri', 'accounts.inbox_url', 'accounts.shared_inbox_url'])
    .where('follows.target_account_id', '=', accountId)
    .where(sql<SqlBool>`follows.by_remote_account = true`)
    .execute();
}

/** The remote accounts `accountId` follows or asked to follow, each with the id of its Follow. */
export function remoteFollowsOf(db: DbReader, accountId: string): Promise<(InboxAddress & { follow_uri: string | null })[]> {
  const of = (table: 'follows' | 'follow_requests') =>
    db
      .selectFrom(table)
      .innerJoin('accounts', 'accounts.id', `${table}.target_account_id`)
      .select(['accounts.id', 'accounts.uri', 'accounts.inbox_url', 'accounts.shared_inbox_url', `${table}.uri as follow_uri`])
      .where(`${table}.account_id`, '=', accountId)
      .where('accounts.domain', 'is not', null);
  return of('follows').union(of('follow_requests')).execute();
}

/** The remote accounts among `ids`. */
export async function remoteAccounts(db: DbReader, ids: readonly string[]): Promise<InboxAddress[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('accounts')
    .select(['id', 'uri', 'inbox_url', 'shared_inbox_url'])
    .where('id', 'in', [...ids])
    .where('domain', 'is not', null)
    .execute();
}

/** How many accounts wait for `accountId` to answer their request to follow. */
export async function countFollowRequests(db: DbReader, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('follow_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('target_account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
