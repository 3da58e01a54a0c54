import type { Selectable } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import type { StatusEditsTable } from '../../storage/db/schema.ts';
import type { ListedAccount } from '../graph/graph.views.ts';
import type { StatusRow } from './statuses.repo.ts';
import { reblogVisibleTo, visibleTo } from './visibility-policy.ts';

/** The statuses among `ids` the viewer may see, in the order of `ids`. */
export async function visibleStatusesByIds(db: DbReader, viewerId: string | null, ids: readonly string[]): Promise<StatusRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('statuses')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(visibleTo(viewerId))
    .where(reblogVisibleTo(viewerId))
    .execute();
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** A page of the posts quoting a status, as the viewer may see them, newest first. */
export function quotesPage(db: DbReader, viewerId: string | null, statusId: string, window: Window): Promise<StatusRow[]> {
  return readWindow(
    db.selectFrom('statuses').selectAll().where('quote_of_id', '=', statusId).where(visibleTo(viewerId)),
    'statuses.id',
    window,
  );
}

/** A page of the accounts that favourited (or reposted) a status, newest first. */
export function reactorsPage(
  db: DbReader,
  statusId: string,
  kind: 'favourited_by' | 'reblogged_by',
  window: Window,
): Promise<ListedAccount[]> {
  return kind === 'favourited_by'
    ? readWindow(
        db.selectFrom('favourites').select(['id as cursor', 'account_id']).where('status_id', '=', statusId),
        'favourites.id',
        window,
      )
    : readWindow(
        db.selectFrom('statuses').select(['id as cursor', 'account_id']).where('reblog_of_id', '=', statusId),
        'statuses.id',
        window,
      );
}

/** A status's earlier versions, oldest first. */
export function statusEdits(db: DbReader, statusId: string): Promise<Selectable<StatusEditsTable>[]> {
  return db.selectFrom('status_edits').selectAll().where('status_id', '=', statusId).orderBy('id').execute();
}

/** What an ActivityPub object of a status names besides the status itself. */
export interface StatusObjectParts {
  readonly mentions: readonly { readonly uri: string; readonly username: string; readonly domain: string | null }[];
  readonly tags: readonly string[];
  readonly inReplyToUri: string | null;
  readonly quoteUri: string | null;
}

/** The mentioned accounts, hashtags, parent and quoted post of a status, for its ActivityPub object. */
export async function statusObjectParts(
  db: DbReader,
  status: Pick<StatusRow, 'id' | 'in_reply_to_id' | 'quote_of_id'>,
): Promise<StatusObjectParts> {
  const [mentions, tags, related] = await Promise.all([
    db
      .selectFrom('mentions')
      .innerJoin('accounts', 'accounts.id', 'mentions.account_id')
      .select(['accounts.uri', 'accounts.username', 'accounts.domain'])
      .where('mentions.status_id', '=', status.id)
      .execute(),
    db
      .selectFrom('status_tags')
      .innerJoin('tags', 'tags.id', 'status_tags.tag_id')
      .select('tags.name')
      .where('status_tags.status_id', '=', status.id)
      .execute(),
    [status.in_reply_to_id, status.quote_of_id].some((id) => id !== null)
      ? db
          .selectFrom('statuses')
          .select(['id', 'uri'])
          .where(
            'id',
            'in',
            [status.in_reply_to_id, status.quote_of_id].filter((id): id is string => id !== null),
          )
          .execute()
      : Promise.resolve([]),
  ]);
  const uriOf = (id: string | null) => (id === null ? null : (related.find((r) => r.id === id)?.uri ?? null));
  return { mentions, tags: tags.map((t) => t.name), inReplyToUri: uriOf(status.in_reply_to_id), quoteUri: uriOf(status.quote_of_id) };
}

/** A page of an account's public posts (no reposts) before `beforeId`, newest first: its ActivityPub outbox. */
export function publicPostsPage(db: DbReader, accountId: string, beforeId: string | null, limit: number): Promise<StatusRow[]> {
  let query = db
    .selectFrom('statuses')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('visibility', '=', 'public')
    .where('reblog_of_id', 'is', null)
    .orderBy('id', 'desc')
    .limit(limit);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

/** How many public posts (no reposts) an account has. */
export async function countPublicPosts(db: DbReader, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('statuses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('visibility', '=', 'public')
    .where('reblog_of_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An account's pinned posts that anyone may see, most recently pinned first. */
export function pinnedPublicPosts(db: DbReader, accountId: string): Promise<StatusRow[]> {
  return db
    .selectFrom('pins')
    .innerJoin('statuses', 'statuses.id', 'pins.status_id')
    .selectAll('statuses')
    .where('pins.account_id', '=', accountId)
    .where('statuses.visibility', 'in', ['public', 'unlisted'])
    .orderBy('pins.created_at', 'desc')
    .execute();
}

/** A stamp of consent to quote one of `authorId`'s posts: what quotes what. */
export function quoteStamp(db: DbReader, stampId: string, authorId: string): Promise<{ quoting_uri: string; uri: string } | undefined> {
  return db
    .selectFrom('quote_authorizations')
    .innerJoin('statuses', 'statuses.id', 'quote_authorizations.quoted_status_id')
    .select(['quote_authorizations.quoting_uri', 'statuses.uri'])
    .where('quote_authorizations.id', '=', stampId)
    .where('statuses.account_id', '=', authorId)
    .executeTakeFirst();
}

/** The URIs of statuses by id (gone ones are left out). */
export async function statusUris(db: DbReader, ids: readonly string[]): Promise<string[]> {
  if (!ids.length) return [];
  return (
    await db
      .selectFrom('statuses')
      .select('uri')
      .where('id', 'in', [...ids])
      .execute()
  ).map((s) => s.uri);
}

/** The stamp this server issued for a post at `quotingUri` to quote a local post: its id and the quoted author's URI. */
export function localQuoteStampFor(db: DbReader, quotingUri: string): Promise<{ id: string; uri: string } | undefined> {
  return db
    .selectFrom('quote_authorizations')
    .innerJoin('statuses', 'statuses.id', 'quote_authorizations.quoted_status_id')
    .innerJoin('accounts', 'accounts.id', 'statuses.account_id')
    .select(['quote_authorizations.id', 'accounts.uri'])
    .where('quote_authorizations.quoting_uri', '=', quotingUri)
    .where('accounts.domain', 'is', null)
    .executeTakeFirst();
}
