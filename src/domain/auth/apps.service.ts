import type { Selectable } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { constantTimeEqual, hashToken, randomToken } from '../../lib/secure-token.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { OauthAppsTable } from '../../storage/db/schema.ts';
import { Invalid } from '../errors.ts';
import { parseScopes } from './scopes.ts';

/** A registered app as read from the database. */
export type AppRow = Selectable<OauthAppsTable>;

/** The redirect URI that shows the code on a page instead of redirecting. */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';

/** What `POST /api/v1/apps` accepts, after parsing. */
export interface NewApp {
  name: string;
  redirectUris: string[];
  scopes?: string | undefined;
  website?: string | null | undefined;
}

/** Registers an app. Returns the row and its client secret, which is shown once and stored only hashed. */
export async function registerApp(db: Db, clock: Clock, input: NewApp): Promise<{ app: AppRow; clientSecret: string }> {
  const scopes = parseScopes(input.scopes);
  for (const uri of input.redirectUris) {
    if (uri !== OOB_REDIRECT && !isAcceptableRedirect(uri)) {
      throw new Invalid('Validation failed: Redirect URI must be an absolute URI', {
        redirect_uris: [{ error: 'ERR_INVALID', description: `"${uri}" must be an absolute URI without a fragment` }],
      });
    }
  }
  const clientSecret = randomToken();
  const app: AppRow = {
    id: uuid7(clock()),
    name: input.name,
    website: input.website ?? null,
    redirect_uris: input.redirectUris.join('\n'),
    scopes: scopes.join(' '),
    client_id: randomToken(),
    client_secret_hash: hashToken(clientSecret),
    created_at: isoAt(clock),
  };
  await db.transaction((tx) => tx.insertInto('oauth_apps').values(app).execute());
  return { app, clientSecret };
}

/** An app by its public client id. */
export function findAppByClientId(db: DbReader, clientId: string): Promise<AppRow | undefined> {
  return db.selectFrom('oauth_apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/** An app by id. */
export function findAppById(db: DbReader, id: string): Promise<AppRow | undefined> {
  return db.selectFrom('oauth_apps').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether `secret` is the app's client secret. */
export function clientSecretMatches(app: AppRow, secret: string): boolean {
  return constantTimeEqual(hashToken(secret), app.client_secret_hash);
}

/** The app's redirect URIs. */
export function redirectUrisOf(app: AppRow): string[] {
  return app.redirect_uris.split('\n').filter(Boolean);
}

function isAcceptableRedirect(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  // Native apps use their own schemes (`myapp://callback`); `javascript:` and `data:` never redirect anywhere safe.
  return !url.hash && !['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol);
}

/** The apps an account has authorized (holding tokens for it), with the scopes granted. */
export function authorizedApps(db: DbReader, accountId: string): Promise<{ id: string; name: string; scopes: string }[]> {
  return db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_apps', 'oauth_apps.id', 'oauth_tokens.app_id')
    .select(['oauth_apps.id', 'oauth_apps.name', 'oauth_tokens.scopes'])
    .where('oauth_tokens.account_id', '=', accountId)
    .groupBy(['oauth_apps.id', 'oauth_apps.name', 'oauth_tokens.scopes'])
    .execute();
}

/** Revokes every token an account gave an app; returns whether there was any. */
export async function revokeAppTokens(db: Db, accountId: string, appId: string): Promise<boolean> {
  const removed = await db.transaction((tx) =>
    tx.deleteFrom('oauth_tokens').where('account_id', '=', accountId).where('app_id', '=', appId).executeTakeFirst(),
  );
  return Number(removed.numDeletedRows) > 0;
}
