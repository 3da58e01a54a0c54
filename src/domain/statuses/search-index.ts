import { createHmac, hkdfSync } from 'node:crypto';
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
}

/** How many matches a search considers, newest first, before visibility and paging. */
export const MAX_CANDIDATES = 2000;

const MAX_QUERY_TERMS = 8;

/** The words of a text as the index sees them: lower case, without diacritics, letters and digits only. */
export function searchTerms(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** The keyed hash that stands for a word in the SQLite index (exported for bulk loaders). */
export function termHasher(serverSecret: string): (term: string) => string {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'search-terms', 32));
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
      async candidates(db, query, options = {}) {
        const terms = searchTerms(query).slice(0, MAX_QUERY_TERMS);
        if (!terms.length) return [];
        let q = db.selectFrom('statuses').select('id').where(sql<boolean>`to_tsvector('simple', statuses.text) @@ plainto_tsquery('simple', ${terms.join(' ')})`);
        if (options.maxId) q = q.where('id', '<', options.maxId);
        return (await q.orderBy('id', 'desc').limit(options.limit ?? MAX_CANDIDATES).execute()).map((r) => r.id);
      },
    };
  }
  const hashTerm = termHasher(serverSecret);
  return {
    async add(tx, statusId, text) {
      const body = indexedBody(hashTerm, text);
      await sql`insert into status_search_rows (status_id) values (${statusId})`.execute(tx);
      await sql`insert into statuses_search (rowid, body) select rowid, ${body} from status_search_rows where status_id = ${statusId}`.execute(tx);
    },
    async remove(tx, statusId) {
      await sql`delete from statuses_search where rowid = (select rowid from status_search_rows where status_id = ${statusId})`.execute(tx);
      await sql`delete from status_search_rows where status_id = ${statusId}`.execute(tx);
    },
    async candidates(db, query, options = {}) {
      const terms = searchTerms(query).slice(0, MAX_QUERY_TERMS).map(hashTerm);
      if (!terms.length) return [];
      // Driven by the index: its matches, then their statuses, newest first (rows are added in time order).
      let q = db
        .selectFrom('status_search_rows as r')
        .select('r.status_id as id')
        .where(sql<boolean>`r.rowid in (select rowid from statuses_search where statuses_search match ${terms.join(' AND ')})`);
      if (options.maxId) q = q.where('r.status_id', '<', options.maxId);
      return (await q.orderBy('r.rowid', 'desc').limit(options.limit ?? MAX_CANDIDATES).execute()).map((r) => r.id);
    },
  };
}

/** Removes every status of an account from the SQLite index (PostgreSQL's index follows the rows). */
export async function removeAccountFromSearch(tx: DbWriter, engine: Engine, accountId: string): Promise<void> {
  if (engine !== 'sqlite') return;
  const owned = sql`(select r.rowid from status_search_rows r join statuses s on s.id = r.status_id where s.account_id = ${accountId})`;
  await sql`delete from statuses_search where rowid in ${owned}`.execute(tx);
}
