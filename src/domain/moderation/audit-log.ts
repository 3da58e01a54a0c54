import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import type { AuditLogTable } from '../../storage/db/schema.ts';
import type { Unit } from '../unit-of-work.ts';

export type AuditEntry = Selectable<AuditLogTable>;

/** The hash the first entry chains from. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a moderation command records: who did what to which target, and why. */
export interface AuditRecord {
  /** The staff account, or null for the command line. */
  readonly accountId: string | null;
  /** How the actor is shown: `@username`, or `cli`. */
  readonly actor: string;
  readonly action: string;
  readonly targetType:
    | 'account'
    | 'report'
    | 'status'
    | 'domain_block'
    | 'domain_allow'
    | 'email_domain_block'
    | 'ip_block'
    | 'canonical_email_block'
    | 'warning'
    | 'flag_rules'
    | 'blocklist'
    | 'trend';
  readonly targetId: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The hash of an entry: everything it says, and the hash of the entry before it. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const body = JSON.stringify([
    entry.seq,
    entry.account_id,
    entry.actor,
    entry.action,
    entry.target_type,
    entry.target_id,
    entry.detail,
    entry.created_at,
  ]);
  return createHash('sha256').update(`${entry.prev_hash}\n${body}`).digest('hex');
}

/**
 * Appends an entry in the command's transaction. The head row is updated first, which serializes appends
 * (PostgreSQL locks the row until the commit; SQLite has one writer), so the chain never forks.
 */
export async function appendAudit(unit: Unit, record: AuditRecord): Promise<void> {
  const head = await unit.tx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  const entry = {
    seq: Number(head.seq),
    account_id: record.accountId,
    actor: record.actor,
    action: record.action,
    target_type: record.targetType,
    target_id: record.targetId,
    detail: JSON.stringify(record.detail ?? {}),
    created_at: unit.now,
    prev_hash: head.hash,
  };
  const hash = entryHash(entry);
  await unit.tx
    .insertInto('audit_log')
    .values({ ...entry, hash })
    .execute();
  await unit.tx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
}

/** A page of the log, newest first (`before`: entries older than that sequence number). */
export function auditEntries(db: DbReader, options: { limit: number; before?: number }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(options.limit);
  if (options.before !== undefined) query = query.where('seq', '<', options.before);
  return query.execute();
}

/** The newest entry of an action, if any. */
export function lastAuditEntry(db: DbReader, action: string): Promise<AuditEntry | undefined> {
  return db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/** What checking the chain found: fine, or the first entry that does not hold. */
export type ChainCheck =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly entries: number; readonly seq: number; readonly problem: string };

/**
 * Walks the whole log in order, recomputing every hash: an edited entry, a removed one (a gap, or a
 * broken link) or a removed tail (the head no longer matches the last entry) is found.
 */
export async function verifyAuditChain(db: DbReader, batch = 1000): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expected).orderBy('seq', 'asc').limit(batch).execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      const entries = expected - 1;
      if (seq !== expected) return { ok: false, entries, seq: expected, problem: `entry ${expected} is missing` };
      if (row.prev_hash !== prev) return { ok: false, entries, seq, problem: `entry ${seq} does not follow entry ${seq - 1}` };
      if (entryHash({ ...row, seq }) !== row.hash)
        return { ok: false, entries, seq, problem: `entry ${seq} was changed after it was written` };
      prev = row.hash;
      expected++;
    }
    if (rows.length < batch) break;
  }
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  const entries = expected - 1;
  if (!head || Number(head.seq) !== entries || head.hash !== prev)
    return {
      ok: false,
      entries,
      seq: entries + 1,
      problem: `the log ends at entry ${entries}, but ${head ? Number(head.seq) : 0} were written`,
    };
  return { ok: true, entries };
}
