import { sql, type Selectable } from 'kysely';
import type { DbReader, DbWriter } from '../../storage/db/database.ts';
import type { StatusesTable } from '../../storage/db/schema.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { bumpStatusCount } from '../accounts/account-counts.repo.ts';
import { forgetMedia } from '../media/media.repo.ts';
import type { SearchIndex } from './search-index.ts';

/** A status row as read from the database. */
export type StatusRow = Selectable<StatusesTable>;

/** A status by id, whoever may see it (callers check with the visibility policy). */
export function findStatusById(db: DbReader | DbWriter, id: string): Promise<StatusRow | undefined> {
  return db.selectFrom('statuses').selectAll().where('id', '=', id).executeTakeFirst();
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

/** Ids of tags by name, creating the missing ones (names are matched without regard to case). */
export async function upsertTags(tx: DbWriter, names: readonly string[], now: string): Promise<string[]> {
  const wanted = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()].slice(0, 30);
  if (wanted.length === 0) return [];
  const lower = wanted.map((n) => n.toLowerCase());
  const existing = await tx
    .selectFrom('tags')
    .select(['id', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), 'in', lower))
    .execute();
  const known = new Map(existing.map((t) => [t.name.toLowerCase(), t.id]));
  const missing = wanted.filter((n) => !known.has(n.toLowerCase())).map((name) => ({ id: uuid7(), name, created_at: now }));
  if (missing.length) {
    await tx
      .insertInto('tags')
      .values(missing)
      .onConflict((oc) => oc.doNothing())
      .execute();
    const again = await tx
      .selectFrom('tags')
      .select(['id', 'name'])
      .where((eb) => eb(eb.fn('lower', ['name']), 'in', lower))
      .execute();
    for (const t of again) known.set(t.name.toLowerCase(), t.id);
  }
  return lower.map((n) => known.get(n)!).filter(Boolean);
}

/**
 * Deletes a status and what hangs on it, inside `tx`: its search entries and its reposts' (the reposts go by
 * cascade), the post counts of its author and reposters, its attachments (files once `flush` runs); replies
 * lose their parent; its URI becomes a tombstone. The row is locked first, so that a concurrent delete of
 * the same status waits and then finds nothing: returns null then, else the reposts that went with it.
 */
export async function deleteStatusRows(
  tx: DbWriter,
  search: SearchIndex,
  status: { id: string; account_id: string; uri: string },
  now: string,
): Promise<{ id: string; account_id: string }[] | null> {
  const held = await tx
    .updateTable('statuses')
    .set({ updated_at: sql<string>`updated_at` })
    .where('id', '=', status.id)
    .executeTakeFirst();
  if (Number(held.numUpdatedRows) === 0) return null;
  const reposts = await tx.selectFrom('statuses').select(['id', 'account_id']).where('reblog_of_id', '=', status.id).execute();
  for (const id of [status.id, ...reposts.map((r) => r.id)]) await search.remove(tx, id);
  for (const owner of [status.account_id, ...reposts.map((r) => r.account_id)]) await bumpStatusCount(tx, owner, -1);
  await tx.updateTable('statuses').set({ in_reply_to_id: null }).where('in_reply_to_id', '=', status.id).execute();
  await forgetMedia(tx, { statusIds: [status.id] }, now);
  await tx.deleteFrom('statuses').where('id', '=', status.id).execute();
  // Its URL answers 410 Gone from now on, and a late copy is not taken for a new post.
  await tx
    .insertInto('tombstones')
    .values({ uri: status.uri, deleted_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return reposts;
}
