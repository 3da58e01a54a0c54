import { isoAt, type Clock } from '../../lib/clock.ts';
import { hashToken, randomToken } from '../../lib/secure-token.ts';
import type { DbWriter } from '../../storage/db/database.ts';

const TTL_MS = { confirm: 7 * 24 * 60 * 60 * 1000, reset: 60 * 60 * 1000 } as const;

/** Issues a link token (confirm the email, reset the password); a new one replaces the old. */
export async function issueEmailToken(tx: DbWriter, clock: Clock, accountId: string, purpose: 'confirm' | 'reset'): Promise<string> {
  const token = randomToken();
  await tx.deleteFrom('email_tokens').where('account_id', '=', accountId).where('purpose', '=', purpose).execute();
  await tx
    .insertInto('email_tokens')
    .values({ token_hash: hashToken(token), account_id: accountId, purpose, expires_at: isoAt(clock, TTL_MS[purpose]) })
    .execute();
  return token;
}

/** Uses up a link token: the account it was for, or null if it is unknown or expired. */
export async function consumeEmailToken(tx: DbWriter, clock: Clock, token: string, purpose: 'confirm' | 'reset'): Promise<string | null> {
  const row = await tx
    .deleteFrom('email_tokens')
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .returningAll()
    .executeTakeFirst();
  return row && row.expires_at > isoAt(clock) ? row.account_id : null;
}

/** Removes the email links that expired by `now`; returns how many. */
export async function deleteExpiredEmailTokens(tx: DbWriter, now: string): Promise<number> {
  const result = await tx.deleteFrom('email_tokens').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
