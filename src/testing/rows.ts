import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../storage/db/database.ts';
import type { Database } from '../storage/db/schema.ts';

/**
 * What tests look at (and set up) directly in the database, by table and equal columns: the rows a
 * feature left behind, or a state no API reaches (a suspended account, an unconfirmed email). The app
 * itself reaches its tables only through its repositories.
 */
type Table = keyof Database;
type Row<T extends Table> = Selectable<Database[T]>;
type Where<T extends Table> = Partial<Row<T>>;

/**
 * A table's name, written into the statement's text (it is one of the schema's, never input), so that the
 * write watch (storage/db/write-watch.ts) sees which table a write of these helpers touches.
 */
function named(table: Table): RawBuilder<unknown> {
  return sql.raw(table);
}

function whereClause(where: object): RawBuilder<unknown> {
  const parts = Object.entries(where).map(([column, value]) =>
    value === null ? sql`${sql.ref(column)} is null` : sql`${sql.ref(column)} = ${value}`,
  );
  return parts.length ? sql`where ${sql.join(parts, sql` and `)}` : sql``;
}

/** The rows of `table` whose columns equal `where`. */
export async function rows<T extends Table>(db: Db, table: T, where: Where<T> = {}): Promise<Row<T>[]> {
  return (await sql<Row<T>>`select * from ${sql.table(table)} ${whereClause(where)}`.execute(db.kysely)).rows;
}

/** The one row of `table` whose columns equal `where`, if any. */
export async function row<T extends Table>(db: Db, table: T, where: Where<T>): Promise<Row<T> | undefined> {
  return (await rows(db, table, where))[0];
}

/** Sets columns of the rows of `table` whose columns equal `where` (a state no API reaches). */
export async function setColumns<T extends Table>(db: Db, table: T, where: Where<T>, values: Updateable<Database[T]>): Promise<void> {
  const sets = Object.entries(values).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  await db.transaction((tx) => sql`update ${named(table)} set ${sql.join(sets)} ${whereClause(where)}`.execute(tx));
}

/** Adds a row to `table` (a state no API reaches, such as an invitation). */
export async function insertRow<T extends Table>(db: Db, table: T, values: Insertable<Database[T]>): Promise<void> {
  const entries = Object.entries(values);
  const columns = sql.join(entries.map(([column]) => sql.ref(column)));
  await db.transaction((tx) =>
    sql`insert into ${named(table)} (${columns}) values (${sql.join(entries.map(([, value]) => sql`${value}`))})`.execute(tx),
  );
}

/** Removes the rows of `table` whose columns equal `where`. */
export async function deleteRows<T extends Table>(db: Db, table: T, where: Where<T>): Promise<void> {
  await db.transaction((tx) => sql`delete from ${named(table)} ${whereClause(where)}`.execute(tx));
}
