import type { Insertable, Selectable } from 'kysely';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { ActorKeysTable } from '../../storage/db/schema.ts';

export type ActorKeysRow = Selectable<ActorKeysTable>;

/** The stored key pairs of an actor (a local account id, or the server's own actor). */
export function findActorKeys(db: DbReader, owner: string): Promise<ActorKeysRow | undefined> {
  return db.selectFrom('actor_keys').selectAll().where('owner', '=', owner).executeTakeFirst();
}

/** Keeps an actor's new key pairs; two first uses may race: the first insert wins, and both read it back. */
export async function insertActorKeys(db: Db, row: Insertable<ActorKeysTable>): Promise<ActorKeysRow> {
  await db.transaction((tx) =>
    tx
      .insertInto('actor_keys')
      .values(row)
      .onConflict((oc) => oc.column('owner').doNothing())
      .execute(),
  );
  return (await findActorKeys(db.read, row.owner))!;
}

/** Forgets a deleted account's keys. */
export async function deleteActorKeys(db: Db, owner: string): Promise<void> {
  await db.transaction((tx) => tx.deleteFrom('actor_keys').where('owner', '=', owner).execute());
}
