import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { DbReader, DbWriter } from '../../storage/db/database.ts';
import type { StatusesTable } from '../../storage/db/schema.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { bumpStatusCount } from '../accounts/account-counts.repo.ts';
import { queueJob } from '../jobs.ts';
import { forgetMedia } from '../media/media.repo.ts';
import type { Unit } from '../unit-of-work.ts';
import type { SearchIndex } from './search-index.ts';

/** A status row as read from the database. */
export type StatusRow = Selectable<StatusesTable>;

/** A status by id, whoever may see it (callers check with the visibility policy). */
export function findStatusById(db: DbReader, id: string): Promise<StatusRow | undefined> {
  return db.selectFrom('statuses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A status by its ActivityPub id, local or remote. */
export function findStatusByUri(db: DbReader, uri: string): Promise<StatusRow | undefined> {
  return db.selectFrom('statuses').selectAll().where('uri', '=', uri).executeTakeFirst();
}

/** Statuses by id, in no particular order. */
export function findStatusesByIds(db: DbReader, ids: readonly string[]): Promise<StatusRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('statuses')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** Whether a status with this ActivityPub id was deleted here (its id is kept, for de-duplication). */
export async function isTombstoned(db: DbReader, uri: string): Promise<boolean> {
  return (await db.selectFrom('tombstones').select('uri').where('uri', '=', uri).executeTakeFirst()) !== undefined;
}

/** When a URI was deleted here, if it was. */
export async function tombstoneOf(db: DbReader, uri: string): Promise<string | undefined> {
  return (await db.selectFrom('tombstones').select('deleted_at').where('uri', '=', uri).executeTakeFirst())?.deleted_at;
}

/** The account's repost of a status, if it made one. */
export async function findRepost(db: DbReader, accountId: string, originalId: string): Promise<StatusRow | undefined> {
  return db
    .selectFrom('statuses')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('reblog_of_id', '=', originalId)
    .executeTakeFirst();
}

/** Who mentioned in a status, and the ids of its hashtags. */
export async function mentionsAndTagsOf(db: DbReader, statusId: string): Promise<{ mentioned: string[]; tagIds: string[] }> {
  const mentioned = await db.selectFrom('mentions').select('account_id').where('status_id', '=', statusId).execute();
  const tags = await db.selectFrom('status_tags').select('tag_id').where('status_id', '=', statusId).execute();
  return { mentioned: mentioned.map((m) => m.account_id), tagIds: tags.map((t) => t.tag_id) };
}

/** The accounts that reposted a status. */
export async function repostersOf(db: DbReader, statusId: string): Promise<string[]> {
  return (await db.selectFrom('statuses').select('account_id').where('reblog_of_id', '=', statusId).execute()).map((r) => r.account_id);
}

/** The followers who asked to be told of the author's new posts ("notify me"). */
export async function subscribersOf(db: DbReader, authorId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('follows')
    .select('account_id')
    .where('target_account_id', '=', authorId)
    .where(sql<SqlBool>`notify = true`)
    .execute();
  return rows.map((r) => r.account_id);
}

/** Whether anyone asked to hear of `authorId`'s posts (an index of a few rows: cheap in any transaction). */
export async function hasSubscribers(db: DbReader, authorId: string): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('id')
    .where('target_account_id', '=', authorId)
    .where(sql<SqlBool>`notify = true`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The status an Idempotency-Key already made, and when. */
export function idempotentStatus(
  db: DbReader,
  accountId: string,
  key: string,
): Promise<{ status_id: string; created_at: string } | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['status_id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/**
 * Claims an Idempotency-Key for a status being posted; returns the id of the status an earlier request
 * with the key made within `windowMs` (the caller then rolls back), or null when the key is now this one's.
 * Two requests with one key may run at once: the unique key makes the second wait for the first.
 */
export async function claimIdempotencyKey(
  unit: Unit,
  accountId: string,
  key: string,
  statusId: string,
  windowMs: number,
): Promise<string | null> {
  const { tx, now } = unit;
  const inserted = await tx
    .insertInto('idempotency_keys')
    .values({ account_id: accountId, key, status_id: statusId, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return null;
  const earlier = (await idempotentStatus(tx, accountId, key))!;
  if (Date.parse(earlier.created_at) > Date.parse(now) - windowMs) return earlier.status_id;
  const taken = await tx
    .updateTable('idempotency_keys')
    .set({ status_id: statusId, created_at: now })
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('created_at', '=', earlier.created_at)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 0 ? (await idempotentStatus(tx, accountId, key))!.status_id : null;
}

/** Forgets the Idempotency-Keys claimed before `before` (the cleanup job); returns how many. */
export async function deleteIdempotencyKeys(tx: DbWriter, before: string): Promise<number> {
  const result = await tx.deleteFrom('idempotency_keys').where('created_at', '<=', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Inserts a status (a post, reply, quote or repost) and counts it for its author. Returns false when a row
 * with its URI (the same activity again) or the same repost already exists; nothing is written then.
 */
export async function insertStatus(unit: Unit, row: Insertable<StatusesTable>, tags: readonly string[] = []): Promise<boolean> {
  const inserted = await unit.tx
    .insertInto('statuses')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await bumpStatusCount(unit, row.account_id, 1, unit.now);
  unit.changed({ kind: 'status-posted', statusId: row.id, authorId: row.account_id, tags });
  const related = [row.in_reply_to_id, row.quote_of_id, row.reblog_of_id].filter((id): id is string => typeof id === 'string');
  if (related.length) unit.changed({ kind: 'statuses', ids: related });
  return true;
}

/** Replaces a status's mentions and hashtags. */
export async function linkMentionsAndTags(
  unit: Unit,
  statusId: string,
  mentions: readonly string[],
  tags: readonly string[],
): Promise<void> {
  const { tx } = unit;
  await tx.deleteFrom('mentions').where('status_id', '=', statusId).execute();
  await tx.deleteFrom('status_tags').where('status_id', '=', statusId).execute();
  if (mentions.length) {
    await tx
      .insertInto('mentions')
      .values([...new Set(mentions)].map((account_id) => ({ status_id: statusId, account_id })))
      .execute();
  }
  const tagIds = await upsertTags(unit, tags);
  if (tagIds.length) {
    await tx
      .insertInto('status_tags')
      .values([...new Set(tagIds)].map((tag_id) => ({ status_id: statusId, tag_id })))
      .execute();
  }
  unit.changed({ kind: 'statuses', ids: [statusId] });
}

/** Ids of tags by name, creating the missing ones (names are matched without regard to case). */
export async function upsertTags(unit: Unit, names: readonly string[]): Promise<string[]> {
  const { tx, now } = unit;
  const wanted = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()].slice(0, 30);
  if (wanted.length === 0) return [];
  const lower = wanted.map((n) => n.toLowerCase());
  const read = () =>
    tx
      .selectFrom('tags')
      .select(['id', 'name'])
      .where((eb) => eb(eb.fn('lower', ['name']), 'in', lower))
      .execute();
  const known = new Map((await read()).map((t) => [t.name.toLowerCase(), t.id]));
  const missing = wanted.filter((n) => !known.has(n.toLowerCase())).map((name) => ({ id: uuid7(), name, created_at: now }));
  if (missing.length) {
    await tx
      .insertInto('tags')
      .values(missing)
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (const t of await read()) known.set(t.name.toLowerCase(), t.id);
  }
  return lower.map((n) => known.get(n)!).filter(Boolean);
}

/** The id of a hashtag by name (without regard to case), if it exists. */
export async function findTagId(db: DbReader, name: string): Promise<string | undefined> {
  const tag = await db
    .selectFrom('tags')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return tag?.id;
}

/** Removes hashtags that nobody uses, follows or features any more (their names came from deleted posts). */
export async function dropUnusedTags(unit: Unit, tagIds: readonly string[]): Promise<void> {
  if (!tagIds.length) return;
  await unit.tx
    .deleteFrom('tags')
    .where('id', 'in', [...tagIds])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('status_tags').select('tag_id').whereRef('status_tags.tag_id', '=', 'tags.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('tag_follows').select('tag_id').whereRef('tag_follows.tag_id', '=', 'tags.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('featured_tags').select('tag_id').whereRef('featured_tags.tag_id', '=', 'tags.id'))))
    .execute();
}

/** What an edit changes on a status. */
export interface StatusRevision {
  readonly text?: string;
  readonly content: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
}

/** Edits a status, keeping its previous version in its history. */
export async function reviseStatus(unit: Unit, status: StatusRow, revision: StatusRevision, tags: readonly string[]): Promise<void> {
  const { tx, now } = unit;
  await tx
    .insertInto('status_edits')
    .values({
      id: uuid7(unit.clock()),
      status_id: status.id,
      text: status.text,
      content: status.content,
      spoiler_text: status.spoiler_text,
      sensitive: Boolean(status.sensitive),
      created_at: status.edited_at ?? status.created_at,
    })
    .execute();
  await tx
    .updateTable('statuses')
    .set({
      ...(revision.text !== undefined ? { text: revision.text } : {}),
      content: revision.content,
      spoiler_text: revision.spoilerText,
      sensitive: revision.sensitive,
      language: revision.language,
      edited_at: now,
      updated_at: now,
    })
    .where('id', '=', status.id)
    .execute();
  // Timelines that did not show it may now (its hashtags changed); those that did show it change.
  unit.changed({ kind: 'status-posted', statusId: status.id, authorId: status.account_id, tags });
}

/** Sets a status's rendered content (its mentions linked once looked up). */
export async function setStatusContent(unit: Unit, statusId: string, content: string): Promise<void> {
  await unit.tx.updateTable('statuses').set({ content, updated_at: unit.now }).where('id', '=', statusId).execute();
  unit.changed({ kind: 'statuses', ids: [statusId] });
}

/** Keeps the quoted author's stamp of consent on a local quoting post. */
export async function setQuoteAuthorization(unit: Unit, statusId: string, stampUri: string): Promise<void> {
  await unit.tx.updateTable('statuses').set({ quote_authorization_uri: stampUri }).where('id', '=', statusId).execute();
  unit.changed({ kind: 'statuses', ids: [statusId] });
}

/**
 * Records this server's consent for `quotingUri` to quote a local post (FEP-044f), served for other
 * servers to check; returns the stamp's id (the existing one if it was given before).
 */
export async function grantQuoteAuthorization(unit: Unit, quotedStatusId: string, quotingUri: string): Promise<string> {
  await unit.tx
    .insertInto('quote_authorizations')
    .values({ id: uuid7(unit.clock()), quoted_status_id: quotedStatusId, quoting_uri: quotingUri, created_at: unit.now })
    .onConflict((oc) => oc.column('quoting_uri').doNothing())
    .execute();
  const stamp = await unit.tx
    .selectFrom('quote_authorizations')
    .select('id')
    .where('quoting_uri', '=', quotingUri)
    .executeTakeFirstOrThrow();
  return stamp.id;
}

/**
 * Deletes a status and what hangs on it: its search entries and its reposts' (the reposts go by cascade),
 * the post counts of its author and reposters, its attachments (files by a job once this commits); replies
 * lose their parent; its URI becomes a tombstone, and the deletion is made final on disk by a job. The row
 * is locked first, so that a concurrent delete of the same status waits and then finds nothing: returns
 * null then, else the reposts that went with it.
 */
export async function deleteStatusRows(
  unit: Unit,
  search: SearchIndex,
  status: Pick<StatusRow, 'id' | 'account_id' | 'uri' | 'in_reply_to_id' | 'quote_of_id' | 'reblog_of_id'>,
): Promise<{ id: string; account_id: string }[] | null> {
  const { tx } = unit;
  const held = await tx
    .updateTable('statuses')
    .set({ updated_at: sql<string>`updated_at` })
    .where('id', '=', status.id)
    .executeTakeFirst();
  if (Number(held.numUpdatedRows) === 0) return null;
  const reposts = await tx.selectFrom('statuses').select(['id', 'account_id']).where('reblog_of_id', '=', status.id).execute();
  for (const id of [status.id, ...reposts.map((r) => r.id)]) await search.remove(tx, id);
  for (const owner of [status.account_id, ...reposts.map((r) => r.account_id)]) await bumpStatusCount(unit, owner, -1);
  await tx.updateTable('statuses').set({ in_reply_to_id: null }).where('in_reply_to_id', '=', status.id).execute();
  await forgetMedia(unit, { statusIds: [status.id] });
  await tx.deleteFrom('statuses').where('id', '=', status.id).execute();
  // Its URL answers 410 Gone from now on, and a late copy is not taken for a new post.
  await tx
    .insertInto('tombstones')
    .values({ uri: status.uri, deleted_at: unit.now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await queueJob(unit, { kind: 'purge-deleted' });
  const related = [status.in_reply_to_id, status.quote_of_id, status.reblog_of_id].filter((id): id is string => id !== null);
  unit.changed({ kind: 'statuses', ids: [status.id, ...reposts.map((r) => r.id), ...related] });
  return reposts;
}

/** Removes an account's reposts of a status (an undone repost); returns them. */
export async function deleteReposts(
  unit: Unit,
  accountId: string,
  originalId: string,
  uri?: string,
): Promise<{ id: string; uri: string; visibility: string }[]> {
  let query = unit.tx.deleteFrom('statuses').where('account_id', '=', accountId).where('reblog_of_id', '=', originalId);
  if (uri !== undefined) query = query.where('uri', '=', uri);
  const removed = await query.returning(['id', 'uri', 'visibility']).execute();
  if (removed.length) {
    await bumpStatusCount(unit, accountId, -removed.length);
    unit.changed({ kind: 'statuses', ids: [originalId, ...removed.map((r) => r.id)] });
  }
  return removed;
}

/** An account's mark on a status: a favourite, a bookmark or a pin. */
export type Mark = 'favourites' | 'bookmarks' | 'pins';

/**
 * Sets or removes an account's mark on a status; returns whether anything changed. A favourite changes
 * the status (its count); a bookmark or a pin only the account's own view.
 */
export async function setMark(unit: Unit, mark: Mark, accountId: string, statusId: string, on: boolean): Promise<boolean> {
  const { tx, now } = unit;
  let changed: boolean;
  if (!on) {
    const removed = await tx.deleteFrom(mark).where('account_id', '=', accountId).where('status_id', '=', statusId).executeTakeFirst();
    changed = Number(removed.numDeletedRows) > 0;
  } else if (mark === 'pins') {
    const inserted = await tx
      .insertInto('pins')
      .values({ account_id: accountId, status_id: statusId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    changed = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  } else {
    const inserted = await tx
      .insertInto(mark)
      .values({ id: uuid7(unit.clock()), account_id: accountId, status_id: statusId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    changed = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  if (mark === 'favourites') unit.changed({ kind: 'statuses', ids: [statusId] });
  else unit.changed({ kind: 'viewers', ids: [accountId] });
  return changed;
}

/** How many statuses an account has pinned. */
export async function countPins(unit: Unit, accountId: string): Promise<number> {
  const { n } = await unit.tx
    .selectFrom('pins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Mutes (or unmutes) the notifications of a thread for an account. */
export async function setConversationMute(unit: Unit, accountId: string, threadId: string, on: boolean): Promise<void> {
  if (on) {
    await unit.tx
      .insertInto('conversation_mutes')
      .values({ account_id: accountId, thread_id: threadId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  } else {
    await unit.tx.deleteFrom('conversation_mutes').where('account_id', '=', accountId).where('thread_id', '=', threadId).execute();
  }
  unit.changed({ kind: 'viewers', ids: [accountId] });
}

/** The post here that an archived post (by its id on the server it came from) became, if it was imported. */
export function findImportedStatus(db: DbReader, accountId: string, originalUri: string): Promise<StatusRow | undefined> {
  return db
    .selectFrom('imported_statuses')
    .innerJoin('statuses', 'statuses.id', 'imported_statuses.status_id')
    .selectAll('statuses')
    .where('imported_statuses.account_id', '=', accountId)
    .where('imported_statuses.original_uri', '=', originalUri)
    .executeTakeFirst();
}

/** Records which post here an archived post became. */
export async function recordImportedStatus(unit: Unit, accountId: string, originalUri: string, statusId: string): Promise<void> {
  await unit.tx.insertInto('imported_statuses').values({ account_id: accountId, original_uri: originalUri, status_id: statusId }).execute();
}
