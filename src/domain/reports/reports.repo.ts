import type { Insertable, Selectable } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import type { ReportsTable } from '../../storage/db/schema.ts';
import type { Unit } from '../unit-of-work.ts';

export type ReportRow = Selectable<ReportsTable>;

/** A report by id. */
export function findReport(db: DbReader, id: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Reports by id. */
export function findReportsByIds(db: DbReader, ids: readonly string[]): Promise<ReportRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db
    .selectFrom('reports')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Files a report; one from another server is filed once however often its Flag arrives. Returns whether it was new. */
export async function insertReport(unit: Unit, report: Insertable<ReportsTable>): Promise<boolean> {
  const rows = await unit.tx
    .insertInto('reports')
    .values(report)
    .onConflict((oc) => oc.column('uri').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Which of `ids` are statuses of `accountId`. */
export async function statusesOfAccount(
  db: DbReader,
  accountId: string,
  where: { ids?: readonly string[]; uris?: readonly string[] },
): Promise<string[]> {
  let query = db.selectFrom('statuses').select('id').where('account_id', '=', accountId);
  if (where.ids) query = where.ids.length ? query.where('id', 'in', [...where.ids]) : query.where('id', '=', '');
  if (where.uris) query = where.uris.length ? query.where('uri', 'in', [...where.uris]) : query.where('id', '=', '');
  return (await query.execute()).map((s) => s.id);
}
