import { STAFF_NEED_SECOND_FACTOR } from '../../domain/moderation/staff.ts';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AccessGrant } from '../../domain/auth/tokens.service.ts';
import { scopesGrant } from '../../domain/auth/scopes.ts';
import type { AccountRow, UserRow } from '../../domain/accounts/accounts.repo.ts';
import { Forbidden, RateLimited, Unauthorized } from '../../domain/errors.ts';
import type { Config } from '../../config/index.ts';
import type { RateDecision, RateLimiter } from '../../storage/cache/rate-limiter.ts';
import type { AppEnv } from './app-env.ts';
import { HttpError } from './http-error.ts';

/**
 * Who may call a route: anyone, or a bearer token with a scope (and, unless `app`, a signed-in user; with
 * `staff`, a user who is a moderator or admin, or only an admin).
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'token'; readonly scope: string | null; readonly user: boolean; readonly staff?: 'moderator' | 'admin' };

/** Anyone may call the route; a valid token, if sent, is still resolved. */
export const PUBLIC: Access = Object.freeze({ kind: 'public' });

/** A token with `scope` (null: any scope) is required; by default it must belong to a user. */
export function scoped(scope: string | null, options: { app?: boolean } = {}): Access {
  return Object.freeze({ kind: 'token', scope, user: !options.app });
}

/**
 * An admin API route: a token with `scope` belonging to a moderator or admin (`admin`: to an admin only).
 * A member's token never gains anything by holding admin scopes.
 */
export function staffOnly(scope: string, role: 'moderator' | 'admin' = 'moderator'): Access {
  return Object.freeze({ kind: 'token', scope, user: true, staff: role });
}

/** The caller behind a bearer token. */
export interface ApiAuth {
  readonly grant: AccessGrant;
  readonly account: AccountRow | null;
  readonly user: UserRow | null;
}

/** One API route: the single table every access check is made from. */
export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly access: Access;
  readonly handler: (c: Context<AppEnv>) => Response | Promise<Response>;
  /** Also counted against the account's posting limit (new posts and reposts). */
  readonly posts?: boolean;
}

/** How many API requests a caller may make: the limiter and the configured limits. */
export interface ApiRateLimits {
  readonly limiter: RateLimiter;
  readonly limits: Pick<Config['limits'], 'apiPerAccount' | 'apiPerAddress' | 'postsPerAccount'>;
  /**
   * When the server requires a second factor of moderators and admins: whether this one has one (checked
   * before every staff route).
   */
  readonly staffSecondFactor?: (user: UserRow) => Promise<boolean>;
}

/** The window the API request limits count in. */
export const API_WINDOW_MS = 5 * 60_000;
const POSTS_WINDOW_MS = 3 * 3600_000;

/**
 * Resolves a bearer token: the caller; `decoy` for a token that does not act (a decoy, or the token of a
 * sign-up whose address is not confirmed yet: the two are answered alike everywhere); null when not valid.
 */
export type TokenResolver = (token: string) => Promise<ApiAuth | 'decoy' | null>;

const UNCONFIRMED = 'Your login is missing a confirmed e-mail address';

/** Mounts the routes on `app`, each behind the access check its table row declares. */
export function mountRoutes(app: Hono<AppEnv>, routes: readonly RouteDef[], resolve: TokenResolver, rate: ApiRateLimits): void {
  const taken = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const route of routes) {
    // An update answers PUT and PATCH alike, as Rails routes Mastodon's (clients use either).
    const twin = route.method === 'PUT' ? 'PATCH' : route.method === 'PATCH' ? 'PUT' : null;
    const methods = twin && !taken.has(`${twin} ${route.path}`) ? [route.method, twin] : [route.method];
    app.on(methods, route.path, guard(route, resolve, rate), route.handler);
  }
}

/**
 * Counts the request against its caller's limit (the account, the app-only token, or the address without
 * a token), sets Mastodon's `X-RateLimit-*` headers, and refuses it with 429 over the limit.
 */
async function countRequest(
  c: Context<AppEnv>,
  rate: ApiRateLimits,
  key: string,
  limit: number,
  windowMs: number,
  what: string,
): Promise<void> {
  const decision = await rate.limiter.hit(key, limit, windowMs);
  for (const [name, value] of rateLimitHeaders(limit, decision)) c.header(name, value);
  if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, what);
}

/** Mastodon's headers telling a client how much of its limit is left. */
export function rateLimitHeaders(limit: number, decision: RateDecision): [string, string][] {
  return [
    ['X-RateLimit-Limit', String(limit)],
    ['X-RateLimit-Remaining', String(decision.remaining)],
    ['X-RateLimit-Reset', new Date(decision.resetAt).toISOString()],
  ];
}

/**
 * The key a signed-in account's API requests are counted under. App-only tokens are counted against their
 * address, as anonymous requests are, so that minting more tokens buys no more requests.
 */
export function apiCallerKey(accountId: string): string {
  return `api:account:${accountId}`;
}

function guard(route: RouteDef, resolve: TokenResolver, rate: ApiRateLimits): MiddlewareHandler<AppEnv> {
  const { access } = route;
  const { apiPerAccount, apiPerAddress, postsPerAccount } = rate.limits;
  const anonymous = (c: Context<AppEnv>) =>
    countRequest(c, rate, `api:address:${c.var.clientIp}`, apiPerAddress, API_WINDOW_MS, 'Too many requests');
  return async (c, next) => {
    c.set('auth', null);
    const token = bearerToken(c.req.header('authorization'));
    if (token === null) {
      await anonymous(c);
      if (access.kind === 'public') return next();
      throw new Unauthorized('The access token is invalid');
    }
    const auth = await resolve(token);
    if (auth === null || auth === 'decoy') await anonymous(c);
    if (auth === null) throw new Unauthorized('The access token is invalid');
    if (auth === 'decoy') {
      if (access.kind === 'public') return next();
      throw new Forbidden(UNCONFIRMED);
    }
    c.set('auth', auth);
    if (auth.account) await countRequest(c, rate, apiCallerKey(auth.account.id), apiPerAccount, API_WINDOW_MS, 'Too many requests');
    else await anonymous(c);
    if (route.posts && auth.account)
      await countRequest(c, rate, `posts:${auth.account.id}`, postsPerAccount, POSTS_WINDOW_MS, 'Too many posts; try again later');
    checkAccess(access, auth);
    if (access.kind === 'token' && access.staff && rate.staffSecondFactor && !(await rate.staffSecondFactor(auth.user!)))
      throw new Forbidden(STAFF_NEED_SECOND_FACTOR);
    return next();
  };
}

/** Throws the error Mastodon answers with when `auth` may not call a route that requires `access`. */
export function checkAccess(access: Access, auth: ApiAuth): void {
  if (access.kind === 'public') return;
  if (access.scope !== null && !scopesGrant(auth.grant.scopes, access.scope))
    throw new Forbidden('This action is outside the authorized scopes');
  if (access.user) {
    if (!auth.account || !auth.user) throw new HttpError(422, 'This method requires an authenticated user');
    if (!auth.user.confirmed_at) throw new Forbidden(UNCONFIRMED);
    if (!auth.user.approved_at) throw new Forbidden('Your login is currently pending approval');
    if (access.staff) {
      const role = auth.user.role;
      if (role !== 'admin' && (access.staff === 'admin' || role !== 'moderator')) throw new Forbidden('This action is not allowed');
    }
  }
}

/** The token of an `Authorization: Bearer ...` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** The signed-in user of a route whose access requires one (the guard has checked). */
export function currentUser(c: Context<AppEnv>): { account: AccountRow; user: UserRow; grant: AccessGrant } {
  const auth = c.var.auth;
  if (!auth?.account || !auth.user) throw new Unauthorized('The access token is invalid');
  return { account: auth.account, user: auth.user, grant: auth.grant };
}
