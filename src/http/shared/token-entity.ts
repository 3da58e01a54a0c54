import type { IssuedToken } from '../../domain/auth/tokens.service.ts';
import type { Token } from '../mastodon/entities.ts';

/** Mastodon's Token entity, which `POST /oauth/token` and `POST /api/v1/accounts` answer with. */
export function serializeToken(token: IssuedToken): Token {
  return {
    access_token: token.accessToken,
    token_type: 'Bearer' as const,
    scope: token.scopes.join(' '),
    created_at: token.createdAt,
    expires_in: token.expiresIn,
    ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
  };
}
