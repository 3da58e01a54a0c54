import { sql, type SqlBool } from 'kysely';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import { isLocal, type Actor } from '../actor.ts';
import { Forbidden, NotFound } from '../errors.ts';
import type { StatusRow } from '../statuses/statuses.repo.ts';
import type { RunCommand } from '../unit-of-work.ts';

/** One of a member's direct conversations, as its list shows it. */
export interface ConversationSummary {
  /** The conversation's id: the thread its posts belong to. */
  readonly id: string;
  readonly lastStatus: StatusRow;
  readonly unread: boolean;
  /** The other people in it: authors of its direct posts and those they mention, the member left out. */
  readonly participantIds: readonly string[];
}

const threadKey = sql<string>`coalesce(statuses.thread_id, statuses.id)`;

/** The direct posts the member wrote or was mentioned in (not reposts). */
function directPostsOf(db: DbReader, viewerId: string) {
  return db
    .selectFrom('statuses')
    .where('statuses.visibility', '=', 'direct')
    .where('statuses.reblog_of_id', 'is', null)
    .where(
      sql<SqlBool>`(statuses.account_id = ${viewerId} or exists (select 1 from mentions m where m.status_id = statuses.id and m.account_id = ${viewerId}))`,
    );
}

/**
 * The member's direct conversations, the one with the newest post first, paged by that post's id (as
 * Mastodon pages them). A conversation the member removed comes back with its next post.
 */
export async function conversationsOf(db: DbReader, viewerId: string, w: Window, only?: string): Promise<ConversationSummary[]> {
  const last = sql<string>`max(statuses.id)`;
  const posts = only === undefined ? directPostsOf(db, viewerId) : directPostsOf(db, viewerId).where(threadKey, '=', only);
  const grouped = db
    .selectFrom(
      posts
        .select([threadKey.as('thread'), last.as('last_id')])
        .groupBy(threadKey)
        .as('c'),
    )
    .leftJoin('conversation_marks as mk', (j) => j.onRef('mk.thread_id', '=', 'c.thread').on('mk.account_id', '=', viewerId))
    .select(['c.thread', 'c.last_id', 'mk.read_up_to'])
    .where(sql<SqlBool>`(mk.removed_up_to is null or c.last_id > mk.removed_up_to)`);
  const page = await readWindow(grouped, 'c.last_id', w);
  if (!page.length) return [];
  const threads = page.map((p) => p.thread);
  const inPage = await directPostsOf(db, viewerId).selectAll('statuses').where(threadKey, 'in', threads).execute();
  const mentions = await db
    .selectFrom('mentions')
    .select(['status_id', 'account_id'])
    .where(
      'status_id',
      'in',
      inPage.map((p) => p.id),
    )
    .execute();
  return page.flatMap((row) => {
    const inThread = inPage.filter((p) => (p.thread_id ?? p.id) === row.thread);
    const lastStatus = inThread.find((p) => p.id === row.last_id);
    if (!lastStatus) return [];
    const ids = new Set(inThread.map((p) => p.id));
    const participants = new Set([
      ...inThread.map((p) => p.account_id),
      ...mentions.filter((m) => ids.has(m.status_id)).map((m) => m.account_id),
    ]);
    participants.delete(viewerId);
    // Unread: someone else wrote since the member last read it or wrote in it (as Mastodon's are).
    const seen = [row.read_up_to, ...inThread.filter((p) => p.account_id === viewerId).map((p) => p.id)].reduce<string>(
      (a, b) => (b !== null && b > a ? b : a),
      '',
    );
    const unread = inThread.some((p) => p.account_id !== viewerId && p.id > seen);
    return [{ id: row.thread, lastStatus, unread, participantIds: [...participants] }];
  });
}

/** One of the member's conversations; one they are not in answers as if it did not exist. */
export async function findConversation(db: DbReader, viewerId: string, id: string): Promise<ConversationSummary> {
  const [found] = await conversationsOf(db, viewerId, { limit: 1 }, id);
  if (!found) throw new NotFound();
  return found;
}

/** Reading and removing direct conversations: a member's own marks, never seen by anyone else. */
export function conversationCommands(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;

  /** Sets the member's mark on a conversation to its newest post so far. */
  const mark = async (actor: Actor, id: string, column: 'read_up_to' | 'removed_up_to') => {
    if (!isLocal(actor.account)) throw new Forbidden('Conversations belong to local accounts');
    const viewerId = actor.account.id;
    const last = await directPostsOf(db.read, viewerId)
      .select('statuses.id')
      .where(threadKey, '=', id)
      .orderBy('statuses.id', 'desc')
      .executeTakeFirst();
    if (!last) throw new NotFound();
    // Removing a conversation reads it too.
    const set: { read_up_to: string; removed_up_to?: string } =
      column === 'removed_up_to' ? { read_up_to: last.id, removed_up_to: last.id } : { read_up_to: last.id };
    await run(async (unit) => {
      await unit.tx
        .insertInto('conversation_marks')
        .values({ account_id: viewerId, thread_id: id, read_up_to: last.id, removed_up_to: set.removed_up_to ?? null })
        .onConflict((oc) => oc.columns(['account_id', 'thread_id']).doUpdateSet(set))
        .execute();
      unit.changed({ kind: 'viewers', ids: [viewerId] });
    });
  };

  return {
    /** Marks a conversation read up to its newest post. */
    markRead: (actor: Actor, id: string) => mark(actor, id, 'read_up_to'),
    /** Removes a conversation from the member's list until its next post (the posts stay). */
    remove: (actor: Actor, id: string) => mark(actor, id, 'removed_up_to'),
  };
}

export type ConversationCommands = ReturnType<typeof conversationCommands>;
