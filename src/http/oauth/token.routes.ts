import type { IssuanceLimit } from '../../domain/auth/issuance-limit.ts';
import type { Config } from '../../config/index.ts';
import type { SignInThrottle } from '../../domain/auth/sign-in-throttle.ts';
import type { TokenService } from '../../domain/auth/tokens.service.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Db } from '../../storage/db/database.ts';
import { Hono, type Context } from 'hono';
import { redeemAuthorizationCode } from '../../domain/auth/codes.service.ts';
import { OAuthError } from '../../domain/auth/oauth-error.ts';
import { ALL_SCOPES, parseScopes, scopesWithin } from '../../domain/auth/scopes.ts';
import { checkPassword } from '../../domain/auth/sign-in.service.ts';
import { Invalid, Unauthorized } from '../../domain/errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { serializeToken } from '../shared/token-entity.ts';
import { authenticateClient, stringField } from './client-auth.ts';

function requestedScopes(c: Context<AppEnv>, allowed: readonly string[], fallback?: string): string[] {
  let scopes: string[];
  try {
    scopes = parseScopes(stringField(c.var.body.scope), fallback ?? allowed.join(' '));
  } catch (error) {
    if (error instanceof Invalid) throw new OAuthError('invalid_scope', error.publicMessage);
    throw error;
  }
  if (!scopesWithin(scopes, allowed)) throw new OAuthError('invalid_scope', 'The requested scope is invalid, unknown, or malformed');
  return scopes;
}

/** What these routes use. */
export interface TokenRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Db;
  readonly tokens: TokenService;
  readonly throttle: SignInThrottle;
  readonly issuance: IssuanceLimit;
}

/** `POST /oauth/token`, `POST /oauth/revoke` and the authorization server metadata. */
export function tokenRoutes(deps: TokenRouteDeps): Hono<AppEnv> {
  const { db, clock, config } = deps;
  const routes = new Hono<AppEnv>();

  routes.post('/oauth/token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const grantType = stringField(c.var.body.grant_type);
    const client = await authenticateClient(c, { read: db.read });
    const appScopes = client.app.scopes.split(' ');

    if (grantType === 'authorization_code') {
      const code = stringField(c.var.body.code);
      const redirectUri = stringField(c.var.body.redirect_uri);
      if (!code || !redirectUri) throw new OAuthError('invalid_request', 'code and redirect_uri are required');
      await deps.issuance(c.var.clientIp);
      const issued = await db.transaction(async (tx) => {
        const redeemed = await redeemAuthorizationCode(tx, clock, {
          appId: client.app.id,
          code,
          redirectUri,
          codeVerifier: stringField(c.var.body.code_verifier),
          publicClient: !client.confidential,
        });
        return deps.tokens.issue(tx, {
          appId: client.app.id,
          accountId: redeemed.accountId,
          scopes: redeemed.scopes,
          refreshable: true,
        });
      });
      return c.json(serializeToken(issued));
    }

    if (grantType === 'client_credentials') {
      if (!client.confidential) throw new OAuthError('invalid_client', 'client_credentials requires the client secret');
      const scopes = requestedScopes(c, appScopes, 'read');
      await deps.issuance(c.var.clientIp);
      const issued = await db.transaction((tx) =>
        deps.tokens.issue(tx, { appId: client.app.id, accountId: null, scopes, refreshable: false }),
      );
      return c.json(serializeToken(issued));
    }

    if (grantType === 'refresh_token') {
      const refreshToken = stringField(c.var.body.refresh_token);
      if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
      const scope = stringField(c.var.body.scope);
      const issued = await deps.tokens.refresh(client.app.id, refreshToken, scope ? requestedScopes(c, appScopes) : undefined);
      return c.json(serializeToken(issued));
    }

    if (grantType === 'password') {
      if (!config.auth.passwordGrant)
        throw new OAuthError('unsupported_grant_type', 'The password grant is turned off on this server; sign in through the browser');
      if (!client.confidential) throw new OAuthError('invalid_client', 'The password grant requires the client secret');
      const login = stringField(c.var.body.username);
      const password = stringField(c.var.body.password);
      if (!login || !password) throw new OAuthError('invalid_request', 'username and password are required');
      const scopes = requestedScopes(c, appScopes, 'read');
      let verified;
      try {
        verified = await checkPassword(db, clock, deps.throttle, { login, password, ip: c.var.clientIp });
      } catch (error) {
        if (error instanceof Unauthorized) throw new OAuthError('invalid_grant', error.publicMessage);
        throw error;
      }
      if (verified.secondFactor.totp || verified.secondFactor.passkeys) {
        throw new OAuthError('invalid_grant', 'This account uses a second factor; sign in through the browser (authorization code flow)');
      }
      const issued = await db.transaction((tx) =>
        deps.tokens.issue(tx, { appId: client.app.id, accountId: verified.account.id, scopes, refreshable: true }),
      );
      return c.json(serializeToken(issued));
    }

    throw new OAuthError('unsupported_grant_type', `Unsupported grant_type: ${grantType ?? '(none)'}`);
  });

  routes.post('/oauth/revoke', async (c) => {
    c.header('Cache-Control', 'no-store');
    const client = await authenticateClient(c, { read: db.read });
    const token = stringField(c.var.body.token);
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    await deps.tokens.revoke(client.app.id, token);
    return c.json({});
  });

  routes.get('/.well-known/oauth-authorization-server', (c) => {
    const base = config.publicUrl;
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json({
      issuer: `${base}/`,
      service_documentation: `${base}/about`,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      app_registration_endpoint: `${base}/api/v1/apps`,
      scopes_supported: [...ALL_SCOPES],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: [
        'authorization_code',
        'client_credentials',
        'refresh_token',
        ...(config.auth.passwordGrant ? ['password'] : []),
      ],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
  });

  return routes;
}
