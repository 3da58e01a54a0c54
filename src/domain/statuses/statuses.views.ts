import { cardsOf, type CardRow } from '../cards/preview-cards.ts';
import { accountAsEmojiOwner, emojisFor, type EmojiRow } from '../emoji/custom-emojis.ts';
import { sql } from 'kysely';
import { countAccounts, type AccountCountsRow } from '../accounts/account-counts.repo.ts';
import { findAccountsByIds, type AccountRow } from '../accounts/accounts.repo.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { findStatusesByIds, type StatusRow } from './statuses.repo.ts';
import { mediaOfStatuses, type MediaRow } from '../media/media.repo.ts';
import { visibleTo } from './visibility-policy.ts';
import { activeFilters, type FilterResult } from '../filters/filters.ts';
import { loadPolls, type PollView } from '../polls/polls.ts';
import type { FilterContext } from '../../storage/db/schema.ts';

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
  /** The custom emoji its text uses, and those its author's profile uses. */
  readonly emojis: readonly EmojiRow[];
  readonly accountEmojis: readonly EmojiRow[];
  readonly media: readonly MediaRow[];
  /** Its poll as the viewer sees it (counts, the viewer's votes). */
  readonly poll: PollView | null;
  /** The preview card of its first link, once fetched. */
  readonly card: CardRow | null;
  readonly counts: { readonly replies: number; readonly reblogs: number; readonly favourites: number; readonly quotes: number };
  /** The viewer's filters that match the status (with `loadStatusViews`'s `filtering`); hidden ones are left out. */
  readonly filtered?: readonly FilterResult[];
  /** The viewer's own marks on the status; null for an anonymous viewer. */
  readonly viewer: {
    readonly favourited: boolean;
    readonly reblogged: boolean;
    readonly bookmarked: boolean;
    readonly pinned: boolean;
    readonly muted: boolean;
  } | null;
}

type CountKind = 'replies' | 'reblogs' | 'quotes' | 'favourites';
type MarkKind = 'favourited' | 'bookmarked' | 'pinned' | 'reblogged' | 'muted';

/** How many replies, reposts, quotes and favourites each status has: one query for all four. */
async function countsOf(db: DbReader, ids: string[]): Promise<Record<CountKind, Map<string, number>>> {
  const counts: Record<CountKind, Map<string, number>> = {
    replies: new Map(),
    reblogs: new Map(),
    quotes: new Map(),
    favourites: new Map(),
  };
  if (!ids.length) return counts;
  const by = (kind: CountKind, column: 'in_reply_to_id' | 'reblog_of_id' | 'quote_of_id') =>
    db
      .selectFrom('statuses')
      .select((eb) => [sql.lit(kind).as('kind'), sql<string>`${sql.ref(column)}`.as('key'), eb.fn.countAll<number>().as('n')])
      .where(column, 'in', ids)
      .groupBy(column);
  const rows = await by('replies', 'in_reply_to_id')
    .unionAll(by('reblogs', 'reblog_of_id'))
    .unionAll(by('quotes', 'quote_of_id'))
    .unionAll(
      db
        .selectFrom('favourites')
        .select((eb) => [sql.lit<CountKind>('favourites').as('kind'), sql<string>`status_id`.as('key'), eb.fn.countAll<number>().as('n')])
        .where('status_id', 'in', ids)
        .groupBy('status_id'),
    )
    .execute();
  for (const row of rows) counts[row.kind].set(row.key, Number(row.n));
  return counts;
}

/** The viewer's own marks on the statuses (and muted threads): one query for all five. */
async function marksOf(db: DbReader, viewerId: string, ids: string[], threadIds: string[]): Promise<Record<MarkKind, Set<string>>> {
  const marks: Record<MarkKind, Set<string>> = {
    favourited: new Set(),
    bookmarked: new Set(),
    pinned: new Set(),
    reblogged: new Set(),
    muted: new Set(),
  };
  const on = (kind: MarkKind, table: 'favourites' | 'bookmarks' | 'pins') =>
    db
      .selectFrom(table)
      .select([sql.lit<MarkKind>(kind).as('kind'), sql<string>`status_id`.as('id')])
      .where('account_id', '=', viewerId)
      .where('status_id', 'in', ids);
  const rows = await on('favourited', 'favourites')
    .unionAll(on('bookmarked', 'bookmarks'))
    .unionAll(on('pinned', 'pins'))
    .unionAll(
      db
        .selectFrom('statuses')
        .select([sql.lit<MarkKind>('reblogged').as('kind'), sql<string>`reblog_of_id`.as('id')])
        .where('account_id', '=', viewerId)
        .where('reblog_of_id', 'in', ids),
    )
    .unionAll(
      db
        .selectFrom('conversation_mutes')
        .select([sql.lit<MarkKind>('muted').as('kind'), sql<string>`thread_id`.as('id')])
        .where('account_id', '=', viewerId)
        .where('thread_id', 'in', threadIds),
    )
    .execute();
  for (const row of rows) marks[row.kind].add(row.id);
  return marks;
}

/**
 * Builds the views of `statuses` for `viewerId`, in the given order. Reposted and quoted statuses are loaded
 * with them; a quoted status the viewer may not see is reported as such, never shown.
 */
export async function loadStatusViews(
  db: DbReader,
  viewerId: string | null,
  statuses: readonly StatusRow[],
  filtering?: Filtering,
): Promise<StatusView[]> {
  if (statuses.length === 0) return [];
  const inner = await findStatusesByIds(
    db,
    statuses.flatMap((s) => (s.reblog_of_id ? [s.reblog_of_id] : [])),
  );
  const all = [...statuses, ...inner];
  const quotedIds = [...new Set(all.flatMap((s) => (s.quote_of_id ? [s.quote_of_id] : [])))];
  const quotedVisible = quotedIds.length
    ? await db.selectFrom('statuses').selectAll().where('id', 'in', quotedIds).where(visibleTo(viewerId)).execute()
    : [];
  const quotedExisting = quotedIds.length
    ? new Set((await db.selectFrom('statuses').select('id').where('id', 'in', quotedIds).execute()).map((r) => r.id))
    : new Set<string>();
  const every = [...all, ...quotedVisible];
  const ids = [...new Set(every.map((s) => s.id))];

  const mentionRows = await db.selectFrom('mentions').select(['status_id', 'account_id']).where('status_id', 'in', ids).execute();
  const accounts = new Map(
    (await findAccountsByIds(db, [...new Set([...every.map((s) => s.account_id), ...mentionRows.map((m) => m.account_id)])])).map((a) => [
      a.id,
      a,
    ]),
  );
  const accountCounts = await countAccounts(db, [...new Set(every.map((s) => s.account_id))]);
  const media = await mediaOfStatuses(db, ids);
  const tagRows = await db
    .selectFrom('status_tags')
    .innerJoin('tags', 'tags.id', 'status_tags.tag_id')
    .select(['status_tags.status_id', 'tags.name'])
    .where('status_tags.status_id', 'in', ids)
    .execute();
  const emojis = await emojisFor(db, [
    ...every.map((s) => ({ key: s.id, domain: s.domain, texts: [s.content, s.spoiler_text] })),
    ...[...new Set(every.map((s) => s.account_id))].flatMap((id) => (accounts.has(id) ? [accountAsEmojiOwner(accounts.get(id)!)] : [])),
  ]);
  const cards = await cardsOf(db, ids);
  const counts = await countsOf(db, ids);
  const polls = await loadPolls(db, ids, viewerId, filtering ? Date.parse(filtering.now) : Date.now());
  const viewerMarks = viewerId ? await marksOf(db, viewerId, ids, [...new Set(every.map((s) => s.thread_id ?? s.id))]) : null;
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
      quote =
        quoted && depth === 0
          ? { state: 'accepted', status: build(quoted, depth + 1) }
          : { state: quotedExisting.has(status.quote_of_id) ? (quoted ? 'accepted' : 'unauthorized') : 'deleted', status: null };
    }
    return {
      status,
      account,
      accountCounts: accountCounts.get(account.id)!,
      reblog: reblogRow ? build(reblogRow, depth + 1) : null,
      quote,
      mentions: mentionRows.filter((m) => m.status_id === status.id).flatMap((m) => accounts.get(m.account_id) ?? []),
      tags: tagRows.filter((t) => t.status_id === status.id).map((t) => t.name),
      emojis: emojis.get(status.id) ?? [],
      accountEmojis: emojis.get(account.id) ?? [],
      media: media.get(status.id) ?? [],
      poll: polls.get(status.id) ?? null,
      card: cards.get(status.id) ?? null,
      counts: {
        replies: counts.replies.get(status.id) ?? 0,
        reblogs: counts.reblogs.get(status.id) ?? 0,
        favourites: counts.favourites.get(status.id) ?? 0,
        quotes: counts.quotes.get(status.id) ?? 0,
      },
      // A repost shows the viewer's marks on the post it reposts, as Mastodon's do (the answer to a
      // repost says `reblogged: true`).
      viewer: viewerMarks && {
        favourited: viewerMarks.favourited.has(reblogRow?.id ?? status.id),
        reblogged: viewerMarks.reblogged.has(reblogRow?.id ?? status.id),
        bookmarked: viewerMarks.bookmarked.has(reblogRow?.id ?? status.id),
        pinned: !reblogRow && viewerMarks.pinned.has(status.id),
        muted: viewerMarks.muted.has((reblogRow ?? status).thread_id ?? (reblogRow ?? status).id),
      },
    };
  };
  const views = statuses.flatMap((s) => build(s, 0) ?? []);
  return filtering && viewerId ? applyFilters(db, viewerId, views, filtering) : views;
}

/**
 * Where the viewer reads the statuses, for their filters: the context (a filter that hides in it leaves the
 * status out) or null where no context applies (a single post: matches are told, nothing is left out).
 */
export interface Filtering {
  readonly context: FilterContext | null;
  readonly now: string;
}

/** The viewer's filters over built views: what they hide is left out, what they match says so. */
async function applyFilters(db: DbReader, viewerId: string, views: StatusView[], filtering: Filtering): Promise<StatusView[]> {
  const active = await activeFilters(db, viewerId, filtering.now);
  if (!active) return views;
  return views.flatMap((view) => {
    const shown = view.reblog ?? view;
    const results = active.match({
      id: shown.status.id,
      accountId: shown.status.account_id,
      spoilerText: shown.status.spoiler_text,
      content: shown.status.content,
      descriptions: shown.media.map((m) => m.description),
    });
    if (!results.length) return [view];
    if (filtering.context && active.hides(results, filtering.context)) return [];
    return [{ ...view, filtered: results, reblog: view.reblog && { ...view.reblog, filtered: results } }];
  });
}

/** The statuses and accounts a page shows, with those it reposts and quotes (what a cached page depends on). */
export function shownIn(rows: readonly StatusRow[], views: readonly StatusView[]): { statusIds: Set<string>; accountIds: Set<string> } {
  const statusIds = new Set<string>();
  const accountIds = new Set<string>();
  for (const row of rows) for (const id of [row.id, row.reblog_of_id, row.quote_of_id]) if (id) statusIds.add(id);
  const visit = (view: StatusView | null | undefined) => {
    if (!view) return;
    for (const id of [view.status.id, view.status.reblog_of_id, view.status.quote_of_id, view.status.in_reply_to_id])
      if (id) statusIds.add(id);
    accountIds.add(view.account.id);
    for (const m of view.mentions) accountIds.add(m.id);
    visit(view.reblog);
    visit(view.quote?.status);
  };
  for (const view of views) visit(view);
  return { statusIds, accountIds };
}
