import { isoAt, type Clock } from '../../lib/clock.ts';
import { hashToken } from '../../lib/secure-token.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import { OAuthError } from './oauth-error.ts';
import type { TokenMinter } from './token-format.ts';

/** What a valid access token allows: an app, maybe an account, and scopes. */
export interface AccessGrant {
  readonly tokenId: string;
  readonly appId: string;
  /** Null for an app-only token (client_credentials). */
  readonly accountId: string | null;
  readonly scopes: readonly string[];
  /** When the access token stops working (Unix ms). */
  readonly expiresAt: number;
}

/** A token pair as `POST /oauth/token` answers it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly scopes: readonly string[];
  /** Unix seconds. */
  readonly createdAt: number;
  readonly expiresIn: number;
}

/** Issues, checks, refreshes and revokes OAuth tokens. Only hashes are stored. */
export interface TokenService {
  issue(
    tx: DbWriter,
    input: {
      appId: string;
      accountId: string | null;
      scopes: readonly string[];
      refreshable: boolean;
      /**
       * A decoy pair, given for a sign-up whose address already has an account: stored, refreshed and revoked
       * like any other, but never acting for anyone.
       */
      decoy?: boolean;
    },
  ): Promise<IssuedToken>;
  /** The grant of a presented token; `decoy` for a live decoy token; null when invalid, expired or revoked. */
  authenticate(token: string): Promise<AccessGrant | 'decoy' | null>;
  /** Trades a refresh token for a new pair; the old pair stops working. */
  refresh(appId: string, refreshToken: string, scopes?: readonly string[]): Promise<IssuedToken>;
  /** Revokes the token (access or refresh) if it belongs to the app; unknown tokens are ignored (RFC 7009). */
  revoke(appId: string, token: string): Promise<void>;
}

const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

/** The token service over the database. */
/** What else follows a token when it is refreshed (a push subscription, say), inside the same transaction. */
export type OnRefresh = (tx: DbWriter, oldTokenId: string, newTokenId: string, newAccessToken: string) => Promise<void>;

export function createTokenService(
  db: Db,
  clock: Clock,
  minter: TokenMinter,
  ttl: { accessMs: number; refreshMs: number },
  onRefresh?: OnRefresh,
): TokenService {
  const issue: TokenService['issue'] = async (tx, input) => {
    const mint = () => (input.decoy ? minter.mintDecoy() : minter.mint());
    const accessToken = mint();
    const refreshToken = input.refreshable ? mint() : null;
    const now = clock();
    await tx
      .insertInto('oauth_tokens')
      .values({
        id: uuid7(now),
        app_id: input.appId,
        account_id: input.accountId,
        token_hash: hashToken(accessToken),
        refresh_token_hash: refreshToken ? hashToken(refreshToken) : null,
        scopes: input.scopes.join(' '),
        expires_at: isoAt(clock, ttl.accessMs),
        refresh_expires_at: refreshToken ? isoAt(clock, ttl.refreshMs) : null,
        created_at: new Date(now).toISOString(),
      })
      .execute();
    return {
      accessToken,
      refreshToken,
      scopes: input.scopes,
      createdAt: Math.floor(now / 1000),
      expiresIn: Math.floor(ttl.accessMs / 1000),
    };
  };

  return {
    issue,
    async authenticate(token) {
      const kind = minter.classify(token);
      if (kind === 'malformed') return null;
      const row = await db.read
        .selectFrom('oauth_tokens')
        .select(['id', 'app_id', 'account_id', 'scopes', 'expires_at', 'last_used_at'])
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!row || row.expires_at <= isoAt(clock)) return null;
      if (kind === 'decoy') return 'decoy';
      if (!row.last_used_at || Date.parse(row.last_used_at) < clock() - TOUCH_INTERVAL_MS) {
        await db.transaction((tx) =>
          tx
            .updateTable('oauth_tokens')
            .set({ last_used_at: isoAt(clock) })
            .where('id', '=', row.id)
            .execute(),
        );
      }
      return {
        tokenId: row.id,
        appId: row.app_id,
        accountId: row.account_id,
        scopes: row.scopes.split(' ').filter(Boolean),
        expiresAt: Date.parse(row.expires_at),
      };
    },
    refresh(appId, refreshToken, scopes) {
      return db.transaction(async (tx) => {
        const row = await tx
          .selectFrom('oauth_tokens')
          .selectAll()
          .where('refresh_token_hash', '=', hashToken(refreshToken))
          .where('app_id', '=', appId)
          .executeTakeFirst();
        if (!row || !row.refresh_expires_at || row.refresh_expires_at <= isoAt(clock)) {
          throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
        }
        const granted = row.scopes.split(' ').filter(Boolean);
        if (scopes && scopes.some((s) => !granted.includes(s)))
          throw new OAuthError('invalid_scope', 'A refreshed token cannot gain scopes');
        const decoy = minter.classify(refreshToken) === 'decoy';
        const issued = await issue(tx, { appId, accountId: row.account_id, scopes: scopes ?? granted, refreshable: true, decoy });
        const fresh = await tx
          .selectFrom('oauth_tokens')
          .select('id')
          .where('token_hash', '=', hashToken(issued.accessToken))
          .executeTakeFirstOrThrow();
        await onRefresh?.(tx, row.id, fresh.id, issued.accessToken);
        await tx.deleteFrom('oauth_tokens').where('id', '=', row.id).execute();
        return issued;
      });
    },
    async revoke(appId, token) {
      const hash = hashToken(token);
      await db.transaction((tx) =>
        tx
          .deleteFrom('oauth_tokens')
          .where('app_id', '=', appId)
          .where((eb) => eb.or([eb('token_hash', '=', hash), eb('refresh_token_hash', '=', hash)]))
          .execute(),
      );
    },
  };
}

/** Removes the access tokens that expired by `now` and can no longer be refreshed; returns how many. */
export async function deleteExpiredTokens(tx: DbWriter, now: string): Promise<number> {
  const result = await tx
    .deleteFrom('oauth_tokens')
    .where('expires_at', '<=', now)
    .where((w) => w.or([w('refresh_expires_at', 'is', null), w('refresh_expires_at', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
