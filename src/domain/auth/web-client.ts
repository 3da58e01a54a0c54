import { hashToken, randomToken } from '../../lib/secure-token.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import type { TokenMinter } from './token-format.ts';

/**
 * Stoa's own web client is an OAuth app like any other, with a client id no registered app can have
 * (registered ids are random) and no redirect URI, so it can never be used in an authorization flow.
 */
export const WEB_CLIENT_ID = 'stoa-web';
const WEB_CLIENT_NAME = 'Stoa web';
const WEB_CLIENT_SCOPES = 'read write follow push';

/**
 * The access token the web client of a signed-in browser uses.
 *
 * It is derived from the session cookie (which the server stores only hashed), so every tab of the same
 * session gets the same token and the server never keeps it in a form it could hand out again. It is tied
 * to the session row: signing out or revoking the session deletes it, and it expires with the session.
 * The page hands it to the app in its HTML; the app keeps it in memory only, never in `localStorage`.
 */
export async function webClientToken(
  db: Db,
  clock: Clock,
  minter: TokenMinter,
  session: { id: string; token: string },
): Promise<string | null> {
  const token = minter.derive(`web-client:${session.token}`);
  const hash = hashToken(token);
  return db.transaction(async (tx) => {
    const row = await tx.selectFrom('sessions').select(['account_id', 'expires_at']).where('id', '=', session.id).executeTakeFirst();
    if (!row || row.expires_at <= isoAt(clock)) return null;
    const existing = await tx.selectFrom('oauth_tokens').select('id').where('token_hash', '=', hash).executeTakeFirst();
    if (existing) return token;
    let app = await tx.selectFrom('oauth_apps').select('id').where('client_id', '=', WEB_CLIENT_ID).executeTakeFirst();
    if (!app) {
      app = { id: uuid7(clock()) };
      await tx
        .insertInto('oauth_apps')
        .values({
          id: app.id,
          name: WEB_CLIENT_NAME,
          website: null,
          redirect_uris: '',
          scopes: WEB_CLIENT_SCOPES,
          client_id: WEB_CLIENT_ID,
          client_secret_hash: hashToken(randomToken()),
          created_at: isoAt(clock),
        })
        .execute();
    }
    await tx
      .insertInto('oauth_tokens')
      .values({
        id: uuid7(clock()),
        app_id: app.id,
        account_id: row.account_id,
        token_hash: hash,
        refresh_token_hash: null,
        scopes: WEB_CLIENT_SCOPES,
        expires_at: row.expires_at,
        refresh_expires_at: null,
        created_at: isoAt(clock),
        last_used_at: null,
        session_id: session.id,
      })
      .execute();
    return token;
  });
}
