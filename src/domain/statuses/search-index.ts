import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import { sql } from 'kysely';
import type { Engine, DbWriter, DbReader } from '../../storage/db/database.ts';

/**
 * Full-text search over statuses behind one interface.
 *
 * SQLite: an FTS5 index that never holds a word in the clear. Each word is normalized (lower case, no
 * diacritics) and replaced by a keyed hash, so that the index answers whole-word queries while a copy of
 * the database file reveals no text, and a deleted post leaves nothing readable behind even where FTS5
 * keeps old terms in its segments. Rows are keyed through `status_search_rows`.
 *
 * PostgreSQL: the built-in full-text search over an expression index on the text.
 */
export interface SearchIndex {
  add(tx: DbWriter, statusId: string, text: string): Promise<void>;
  remove(tx: DbWriter, statusId: string): Promise<void>;
  /**
   * Ids of the newest statuses (at most `limit`, before `maxId` if given) whose text has every word of
   * `query`, newest first. Callers then apply the visibility policy to these candidates.
   */
  candidates(db: DbReader, query: string, options?: { maxId?: string | undefined; limit?: number }): Promise<string[]>;
  /**
   * The same matches in batches, newest first, so that a search reads only as far as its page needs
   * (at most `MAX_CANDIDATES` in all); the first batch holds `first` (at most `BATCH`) when given.
   */
  batches(db: DbReader, query: string, options?: { maxId?: string | undefined; first?: number }): AsyncIterable<string[]>;
}

/** How many matches one batch holds. */
const BATCH = 200;

/** The size of each batch: `first` (within 1 and `BATCH`) for the first, then `BATCH`. */
function batchSize(read: number, first: number | undefined): number {
  return read === 0 && first !== undefined ? Math.max(1, Math.min(BATCH, Math.floor(first))) : BATCH;
}

/** `candidates` from `batches`: every batch, up to the limit. */
async function collect(batches: AsyncIterable<string[]>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const batch of batches) {
    ids.push(...batch);
    if (ids.length >= limit) break;
  }
  return ids.slice(0, limit);
}

/** How many matches a search considers, newest first, before visibility and paging. */
export const MAX_CANDIDATES = 2000;

const MAX_QUERY_TERMS = 8;

/** The words of a text as the index sees them: lower case, without diacritics, letters and digits only. */
export function searchTerms(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}_]+/gu) ?? []
  );
}

/** The keyed hash that stands for a word in the SQLite index (exported for bulk loaders). */
export function termHasher(serverSecret: string): (term: string) => string {
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'search-terms', 32)));
  return (term) => `t${createHmac('sha256', key).update(term).digest('hex').slice(0, 16)}`;
}

/** What the SQLite index stores for a text: the hashes of its distinct words. */
export function indexedBody(hashTerm: (term: string) => string, text: string): string {
  return [...new Set(searchTerms(text))].map(hashTerm).join(' ');
}

/** The search index of the engine in use; `serverSecret` keys the SQLite term hashes. */
export function searchIndex(engine: Engine, serverSecret: string): SearchIndex {
  if (engine === 'postgres') {
    return {
      add: () => Promise.resolve(),
      remove: () => Promise.resolve(),
      candidates(db, query, options = {}) {
        return collect(this.batches(db, query, options), options.limit ?? MAX_CANDIDATES);
      },
      async *batches(db, query, options = {}) {
        const terms = searchTerms(query).slice(0, MAX_QUERY_TERMS);
        if (!terms.length) return;
        let before = options.maxId;
        for (let read = 0, size = batchSize(0, options.first); read < MAX_CANDIDATES; read += size, size = BATCH) {
          let q = db
            .selectFrom('statuses')
            .select('id')
            .where(sql<boolean>`to_tsvector('simple', statuses.text) @@ plainto_tsquery('simple', ${terms.join(' ')})`);
          if (before) q = q.where('id', '<', before);
          const ids = (await q.orderBy('id', 'desc').limit(size).execute()).map((r) => r.id);
          if (ids.length) yield ids;
          if (ids.length < size) return;
          before = ids.at(-1);
        }
      },
    };
  }
  const hashTerm = termHasher(serverSecret);
  return {
    async add(tx, statusId, text) {
      const body = indexedBody(hashTerm, text);
      await sql`insert into status_search_rows (status_id) values (${statusId})`.execute(tx);
      await sql`insert into statuses_search (rowid, body) select rowid, ${body} from status_search_rows where status_id = ${statusId}`.execute(
        tx,
      );
    },
    async remove(tx, statusId) {
      await sql`delete from statuses_search where rowid = (select rowid from status_search_rows where status_id = ${statusId})`.execute(tx);
      await sql`delete from status_search_rows where status_id = ${statusId}`.execute(tx);
    },
    candidates(db, query, options = {}) {
      return collect(this.batches(db, query, options), options.limit ?? MAX_CANDIDATES);
    },
    // Driven by the index, newest match first (rows are added in time order), a batch at a time: FTS5
    // stops after the batch instead of listing every match of a common word.
    async *batches(db, query, options = {}) {
      const terms = searchTerms(query).slice(0, MAX_QUERY_TERMS).map(hashTerm);
      if (!terms.length) return;
      const match = terms.join(' AND ');
      let below = Number.MAX_SAFE_INTEGER;
      for (let read = 0, size = batchSize(0, options.first); read < MAX_CANDIDATES; read += size, size = BATCH) {
        // The index's own rowid order, joined to the status ids (an `in (subquery)` costs half again as much).
        const rows = await db
          .selectFrom(
            sql<{
              rowid: number;
            }>`(select rowid from statuses_search where statuses_search match ${match} and rowid < ${below} order by rowid desc limit ${size})`.as(
              'm',
            ),
          )
          .innerJoin('status_search_rows as r', 'r.rowid', 'm.rowid')
          .select(['r.status_id as id', 'm.rowid as rowid'])
          .orderBy('m.rowid', 'desc')
          .execute();
        const ids = rows.map((r) => r.id).filter((id) => !options.maxId || id < options.maxId);
        if (ids.length) yield ids;
        if (rows.length < size) return;
        below = Number(rows.at(-1)!.rowid);
      }
    },
  };
}

/** Removes every status of an account from the SQLite index (PostgreSQL's index follows the rows). */
export async function removeAccountFromSearch(tx: DbWriter, engine: Engine, accountId: string): Promise<void> {
  if (engine !== 'sqlite') return;
  const owned = sql`(select r.rowid from status_search_rows r join statuses s on s.id = r.status_id where s.account_id = ${accountId})`;
  await sql`delete from statuses_search where rowid in ${owned}`.execute(tx);
}

/**
 * Builds SQLite's full-text index again from the posts (after a restore: a backup leaves it out, since its
 * terms are keyed by the server secret). PostgreSQL's index is on the table itself and needs nothing.
 */
export async function rebuildSearchIndex(tx: DbWriter, engine: Engine, serverSecret: string): Promise<number> {
  if (engine !== 'sqlite') return 0;
  const index = searchIndex(engine, serverSecret);
  const rows = await tx.selectFrom('statuses').select(['id', 'text', 'spoiler_text']).where('reblog_of_id', 'is', null).execute();
  for (const row of rows) await index.add(tx, row.id, `${row.spoiler_text} ${row.text}`);
  return rows.length;
}
