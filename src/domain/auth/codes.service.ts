import { createHash } from 'node:crypto';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { constantTimeEqual, hashToken, randomToken } from '../../lib/secure-token.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import { OAuthError } from './oauth-error.ts';

const CODE_TTL_MS = 10 * 60 * 1000;

/** Issues a single-use authorization code for an account's consent to an app. */
export async function issueAuthorizationCode(
  db: Db,
  clock: Clock,
  input: { appId: string; accountId: string; redirectUri: string; scopes: readonly string[]; codeChallenge: string | null },
): Promise<string> {
  const code = randomToken();
  await db.transaction((tx) =>
    tx
      .insertInto('oauth_codes')
      .values({
        code_hash: hashToken(code),
        app_id: input.appId,
        account_id: input.accountId,
        redirect_uri: input.redirectUri,
        scopes: input.scopes.join(' '),
        code_challenge: input.codeChallenge,
        expires_at: isoAt(clock, CODE_TTL_MS),
      })
      .execute(),
  );
  return code;
}

/**
 * Redeems a code: it must be the app's, unexpired, for the same redirect URI, and pass PKCE. A public
 * client (no client secret) must have used PKCE. The code is gone afterwards, whatever the outcome.
 */
export async function redeemAuthorizationCode(
  tx: DbWriter,
  clock: Clock,
  input: { appId: string; code: string; redirectUri: string; codeVerifier: string | undefined; publicClient: boolean },
): Promise<{ accountId: string; scopes: string[] }> {
  const row = await tx.deleteFrom('oauth_codes').where('code_hash', '=', hashToken(input.code)).returningAll().executeTakeFirst();
  if (!row || row.app_id !== input.appId || row.expires_at <= isoAt(clock)) {
    throw new OAuthError('invalid_grant', 'The authorization code is invalid, expired or already used');
  }
  if (row.redirect_uri !== input.redirectUri)
    throw new OAuthError('invalid_grant', 'The redirect_uri does not match the one used to authorize');
  if (row.code_challenge === null) {
    if (input.publicClient) throw new OAuthError('invalid_request', 'Clients without a secret must use PKCE (code_challenge with S256)');
  } else {
    if (!input.codeVerifier) throw new OAuthError('invalid_request', 'code_verifier is required');
    const computed = createHash('sha256').update(input.codeVerifier).digest('base64url');
    if (!constantTimeEqual(computed, row.code_challenge))
      throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge');
  }
  return { accountId: row.account_id, scopes: row.scopes.split(' ').filter(Boolean) };
}

/** Removes the authorization codes that expired by `now`; returns how many. */
export async function deleteExpiredCodes(tx: DbWriter, now: string): Promise<number> {
  const result = await tx.deleteFrom('oauth_codes').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
