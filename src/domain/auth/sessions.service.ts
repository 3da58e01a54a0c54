import type { Selectable } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { hashToken, randomToken } from '../../lib/secure-token.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import type { SessionsTable } from '../../storage/db/schema.ts';

/** A signed-in browser, as listed on the security settings page. */
export type SessionRow = Selectable<SessionsTable>;

const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

/** Web sessions: a random cookie value, stored hashed, with its browser and address for the owner to review. */
export interface SessionService {
  create(accountId: string, meta: { userAgent: string; ip: string }): Promise<string>;
  /** The live session behind a cookie value, or null. */
  find(token: string): Promise<SessionRow | null>;
  destroy(token: string): Promise<void>;
  destroyById(accountId: string, sessionId: string): Promise<void>;
  /** Signs the account out everywhere. */
  destroyAll(accountId: string): Promise<void>;
  list(accountId: string): Promise<SessionRow[]>;
}

/** The session service over the database. */
export function createSessionService(db: Db, clock: Clock, ttlMs: number): SessionService {
  return {
    async create(accountId, meta) {
      const token = randomToken();
      const now = isoAt(clock);
      await db.transaction((tx) =>
        tx
          .insertInto('sessions')
          .values({
            id: uuid7(clock()),
            token_hash: hashToken(token),
            account_id: accountId,
            user_agent: meta.userAgent.slice(0, 300),
            ip: meta.ip,
            created_at: now,
            last_seen_at: now,
            expires_at: isoAt(clock, ttlMs),
          })
          .execute(),
      );
      return token;
    },
    async find(token) {
      if (!/^[\w-]{43}$/.test(token)) return null;
      const row = await db.read.selectFrom('sessions').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
      if (!row || row.expires_at <= isoAt(clock)) return null;
      if (Date.parse(row.last_seen_at) < clock() - TOUCH_INTERVAL_MS) {
        await db.transaction((tx) =>
          tx
            .updateTable('sessions')
            .set({ last_seen_at: isoAt(clock) })
            .where('id', '=', row.id)
            .execute(),
        );
      }
      return row;
    },
    async destroy(token) {
      await db.transaction((tx) => tx.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute());
    },
    async destroyById(accountId, sessionId) {
      await db.transaction((tx) => tx.deleteFrom('sessions').where('account_id', '=', accountId).where('id', '=', sessionId).execute());
    },
    async destroyAll(accountId) {
      await db.transaction((tx) => tx.deleteFrom('sessions').where('account_id', '=', accountId).execute());
    },
    list(accountId) {
      return db.read
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('expires_at', '>', isoAt(clock))
        .orderBy('last_seen_at', 'desc')
        .execute();
    },
  };
}

/** Removes the sessions that expired by `now` (the cleanup job); returns how many. */
export async function deleteExpiredSessions(tx: DbWriter, now: string): Promise<number> {
  const result = await tx.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
