import type { DbReader } from '../../storage/db/database.ts';
import type { Context } from 'hono';
import { clientSecretMatches, findAppByClientId, type AppRow } from '../../domain/auth/apps.service.ts';
import { OAuthError } from '../../domain/auth/oauth-error.ts';
import type { AppEnv } from '../shared/app-env.ts';

/** The calling app, and whether it proved itself with its secret (a confidential client) or not (public). */
export interface AuthenticatedClient {
  readonly app: AppRow;
  readonly confidential: boolean;
}

/**
 * Identifies the app from `client_id`/`client_secret` in the body or HTTP Basic credentials. A wrong secret
 * is refused; no secret at all makes a public client, which only some grants accept.
 */
/** What these routes use. */
export interface ClientAuthDeps {
  readonly read: DbReader;
}

export async function authenticateClient(c: Context<AppEnv>, deps: ClientAuthDeps): Promise<AuthenticatedClient> {
  let clientId = stringField(c.var.body.client_id);
  let secret = stringField(c.var.body.client_secret);
  const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      clientId = formDecoded(decoded.slice(0, colon));
      secret = formDecoded(decoded.slice(colon + 1));
    }
  }
  if (!clientId) throw new OAuthError('invalid_client', 'Client authentication failed: client_id is missing');
  const app = await findAppByClientId(deps.read, clientId);
  if (!app) throw new OAuthError('invalid_client', 'Client authentication failed due to unknown client');
  if (secret === undefined) return { app, confidential: false };
  if (!clientSecretMatches(app, secret)) throw new OAuthError('invalid_client', 'Client authentication failed: wrong client secret');
  return { app, confidential: true };
}

/** A Basic credential part, percent-decoded (RFC 6749 §2.3.1); a bad escape is the client's mistake. */
function formDecoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new OAuthError('invalid_client', 'Client authentication failed: malformed Basic credentials');
  }
}

/** A string form field, or undefined. */
export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
