import type { Selectable } from 'kysely';
import type { DbReader, DbWriter } from '../../storage/db/database.ts';
import type { StatusesTable } from '../../storage/db/schema.ts';
import { uuid7 } from '../../lib/uuid7.ts';

/** A status row as read from the database. */
export type StatusRow = Selectable<StatusesTable>;

/** A status by id, whoever may see it (callers check with the visibility policy). */
export function findStatusById(db: DbReader | DbWriter, id: string): Promise<StatusRow | undefined> {
  return db.selectFrom('statuses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Statuses by id, in no particular order. */
export function findStatusesByIds(db: DbReader, ids: readonly string[]): Promise<StatusRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('statuses').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** Ids of tags by name, creating the missing ones (names are matched without regard to case). */
export async function upsertTags(tx: DbWriter, names: readonly string[], now: string): Promise<string[]> {
  const wanted = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()].slice(0, 30);
  if (wanted.length === 0) return [];
  const lower = wanted.map((n) => n.toLowerCase());
  const existing = await tx.selectFrom('tags').select(['id', 'name']).where((eb) => eb(eb.fn('lower', ['name']), 'in', lower)).execute();
  const known = new Map(existing.map((t) => [t.name.toLowerCase(), t.id]));
  const missing = wanted.filter((n) => !known.has(n.toLowerCase())).map((name) => ({ id: uuid7(), name, created_at: now }));
  if (missing.length) {
    await tx.insertInto('tags').values(missing).onConflict((oc) => oc.doNothing()).execute();
    const again = await tx.selectFrom('tags').select(['id', 'name']).where((eb) => eb(eb.fn('lower', ['name']), 'in', lower)).execute();
    for (const t of again) known.set(t.name.toLowerCase(), t.id);
  }
  return lower.map((n) => known.get(n)!).filter(Boolean);
}
