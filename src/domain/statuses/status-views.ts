import { countAccounts, type AccountCountsRow } from '../accounts/account-counts.repo.ts';
import { findAccountsByIds, type AccountRow } from '../accounts/accounts.repo.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { findStatusesByIds, type StatusRow } from './statuses.repo.ts';
import { mediaOfStatuses, type MediaRow } from '../media/media.repo.ts';
import { visibleTo } from './visibility-policy.ts';

/** Everything needed to show a status to one viewer, loaded in a handful of queries for a whole page. */
export interface StatusView {
  readonly status: StatusRow;
  readonly account: AccountRow;
  readonly accountCounts: AccountCountsRow;
  readonly reblog: StatusView | null;
  /** The quoted post, or why it is not shown (deleted, or not visible to this viewer). */
  readonly quote: { readonly state: 'accepted' | 'deleted' | 'unauthorized'; readonly status: StatusView | null } | null;
  readonly mentions: readonly AccountRow[];
  readonly tags: readonly string[];
  readonly media: readonly MediaRow[];
  readonly counts: { readonly replies: number; readonly reblogs: number; readonly favourites: number; readonly quotes: number };
  /** The viewer's own marks on the status; null for an anonymous viewer. */
  readonly viewer: { readonly favourited: boolean; readonly reblogged: boolean; readonly bookmarked: boolean; readonly pinned: boolean; readonly muted: boolean } | null;
}

const countBy = async (db: DbReader, table: 'statuses' | 'favourites', column: 'in_reply_to_id' | 'reblog_of_id' | 'quote_of_id' | 'status_id', ids: string[]) => {
  if (!ids.length) return new Map<string, number>();
  const rows = await db
    .selectFrom(table as 'statuses')
    .select((eb) => [eb.ref(column as 'in_reply_to_id').as('key'), eb.fn.countAll<number>().as('n')])
    .where(column as 'in_reply_to_id', 'in', ids)
    .groupBy(column as 'in_reply_to_id')
    .execute();
  return new Map(rows.map((r) => [r.key!, Number(r.n)]));
};

const idsWhere = async (db: DbReader, table: 'favourites' | 'bookmarks' | 'pins', viewerId: string, ids: string[]) =>
  ids.length ? new Set((await db.selectFrom(table).select('status_id').where('account_id', '=', viewerId).where('status_id', 'in', ids).execute()).map((r) => r.status_id)) : new Set<string>();

/**
 * Builds the views of `statuses` for `viewerId`, in the given order. Reposted and quoted statuses are loaded
 * with them; a quoted status the viewer may not see is reported as such, never shown.
 */
export async function loadStatusViews(db: DbReader, viewerId: string | null, statuses: readonly StatusRow[]): Promise<StatusView[]> {
  if (statuses.length === 0) return [];
  const inner = await findStatusesByIds(db, statuses.flatMap((s) => (s.reblog_of_id ? [s.reblog_of_id] : [])));
  const all = [...statuses, ...inner];
  const quotedIds = [...new Set(all.flatMap((s) => (s.quote_of_id ? [s.quote_of_id] : [])))];
  const quotedVisible = quotedIds.length ? await db.selectFrom('statuses').selectAll().where('id', 'in', quotedIds).where(visibleTo(viewerId)).execute() : [];
  const quotedExisting = quotedIds.length ? new Set((await db.selectFrom('statuses').select('id').where('id', 'in', quotedIds).execute()).map((r) => r.id)) : new Set<string>();
  const every = [...all, ...quotedVisible];
  const ids = [...new Set(every.map((s) => s.id))];

  const mentionRows = await db.selectFrom('mentions').select(['status_id', 'account_id']).where('status_id', 'in', ids).execute();
  const accounts = new Map((await findAccountsByIds(db, [...new Set([...every.map((s) => s.account_id), ...mentionRows.map((m) => m.account_id)])])).map((a) => [a.id, a]));
  const accountCounts = await countAccounts(db, [...new Set(every.map((s) => s.account_id))]);
  const media = await mediaOfStatuses(db, ids);
  const tagRows = await db.selectFrom('status_tags').innerJoin('tags', 'tags.id', 'status_tags.tag_id').select(['status_tags.status_id', 'tags.name']).where('status_tags.status_id', 'in', ids).execute();
  const [replies, reblogs, quotes, favourites] = await Promise.all([
    countBy(db, 'statuses', 'in_reply_to_id', ids),
    countBy(db, 'statuses', 'reblog_of_id', ids),
    countBy(db, 'statuses', 'quote_of_id', ids),
    countBy(db, 'favourites', 'status_id', ids),
  ]);
  let viewerMarks: { favourited: Set<string>; reblogged: Set<string>; bookmarked: Set<string>; pinned: Set<string>; mutedThreads: Set<string> } | null = null;
  if (viewerId) {
    viewerMarks = {
      favourited: await idsWhere(db, 'favourites', viewerId, ids),
      bookmarked: await idsWhere(db, 'bookmarks', viewerId, ids),
      pinned: await idsWhere(db, 'pins', viewerId, ids),
      reblogged: new Set((await db.selectFrom('statuses').select('reblog_of_id').where('account_id', '=', viewerId).where('reblog_of_id', 'in', ids).execute()).map((r) => r.reblog_of_id!)),
      mutedThreads: new Set(
        (await db.selectFrom('conversation_mutes').select('thread_id').where('account_id', '=', viewerId).where('thread_id', 'in', [...new Set(every.map((s) => s.thread_id ?? s.id))]).execute()).map((r) => r.thread_id),
      ),
    };
  }
  const byId = new Map(every.map((s) => [s.id, s]));
  const quotedById = new Map(quotedVisible.map((s) => [s.id, s]));

  const build = (status: StatusRow, depth: number): StatusView | null => {
    const account = accounts.get(status.account_id);
    if (!account) return null;
    const reblogRow = status.reblog_of_id ? byId.get(status.reblog_of_id) : undefined;
    if (status.reblog_of_id && !reblogRow) return null;
    let quote: StatusView['quote'] = null;
    if (status.quote_of_id) {
      const quoted = quotedById.get(status.quote_of_id);
      quote = quoted && depth === 0 ? { state: 'accepted', status: build(quoted, depth + 1) } : { state: quotedExisting.has(status.quote_of_id) ? (quoted ? 'accepted' : 'unauthorized') : 'deleted', status: null };
    }
    return {
      status,
      account,
      accountCounts: accountCounts.get(account.id)!,
      reblog: reblogRow ? build(reblogRow, depth + 1) : null,
      quote,
      mentions: mentionRows.filter((m) => m.status_id === status.id).flatMap((m) => accounts.get(m.account_id) ?? []),
      tags: tagRows.filter((t) => t.status_id === status.id).map((t) => t.name),
      media: media.get(status.id) ?? [],
      counts: { replies: replies.get(status.id) ?? 0, reblogs: reblogs.get(status.id) ?? 0, favourites: favourites.get(status.id) ?? 0, quotes: quotes.get(status.id) ?? 0 },
      viewer: viewerMarks && {
        favourited: viewerMarks.favourited.has(status.id),
        reblogged: viewerMarks.reblogged.has(status.id),
        bookmarked: viewerMarks.bookmarked.has(status.id),
        pinned: viewerMarks.pinned.has(status.id),
        muted: viewerMarks.mutedThreads.has(status.thread_id ?? status.id),
      },
    };
  };
  return statuses.flatMap((s) => build(s, 0) ?? []);
}

/** The statuses and accounts a page shows, with those it reposts and quotes (what a cached page depends on). */
export function shownIn(rows: readonly StatusRow[], views: readonly StatusView[]): { statusIds: Set<string>; accountIds: Set<string> } {
  const statusIds = new Set<string>();
  const accountIds = new Set<string>();
  for (const row of rows) for (const id of [row.id, row.reblog_of_id, row.quote_of_id]) if (id) statusIds.add(id);
  const visit = (view: StatusView | null | undefined) => {
    if (!view) return;
    for (const id of [view.status.id, view.status.reblog_of_id, view.status.quote_of_id, view.status.in_reply_to_id]) if (id) statusIds.add(id);
    accountIds.add(view.account.id);
    for (const m of view.mentions) accountIds.add(m.id);
    visit(view.reblog);
    visit(view.quote?.status);
  };
  for (const view of views) visit(view);
  return { statusIds, accountIds };
}
