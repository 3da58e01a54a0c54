import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HomeCache } from '../../domain/timelines/home-cache.ts';
import type { Logger } from '../../lib/logger.ts';
import type { RateDecision, RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { clientIpResolver } from '../shared/client-ip.ts';
import { API_CORS_HEADERS } from '../shared/cors.ts';
import { API_WINDOW_MS, apiCallerKey, bearerToken, checkAccess, rateLimitHeaders, type Access } from '../shared/route-table.ts';
import { securityHeaderList } from '../shared/security-headers.ts';
import type { TokenCache } from '../shared/token-cache.ts';

/** Answers a request through the whole stack (routing, middleware, handlers). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

export const HOME_PATH = '/api/v1/timelines/home';

/** A query string the URL standard leaves as it is: no percent signs, spaces or characters it would encode. */
const PLAIN_QUERY = /^(?:\?[\w.~=&-]+)?$/;

/** Requests answered before the full stack sees them. */
export interface FastPath {
  /** Answers the request and returns true, or returns false and leaves it untouched. */
  take(req: IncomingMessage, res: ServerResponse, fallback: NodeListener): boolean;
  /** How many requests it has answered itself. */
  answered(): number;
}

/**
 * The home timeline page an app asks for again and again, answered straight from memory: when the token
 * was resolved moments ago and the page is in the home cache, the answer is those bytes with the headers
 * the full stack would send, without building a Request, routing, or touching the database. Anything
 * else (another path, an unknown token, a page not kept, a caller over its limit) goes to `fallback`,
 * which also gives every error. `fast-path.integration.test.ts` holds both answers to be the same.
 */
export function homeFastPath(deps: {
  homeCache: HomeCache;
  tokens: TokenCache;
  access: Access;
  limiter: RateLimiter;
  perAccount: number;
  logger: Logger;
  trustedProxies: readonly string[];
  https: boolean;
  /** Whether an address is served nothing (an address block); the full stack answers it. */
  refused: (ip: string) => boolean;
}): FastPath {
  const { homeCache, tokens, access, limiter, perAccount, logger } = deps;
  const resolveClientIp = clientIpResolver(deps.trustedProxies);
  const fixed = [...securityHeaderList(deps.https), ...API_CORS_HEADERS, ['Content-Type', 'application/json']].flat();

  let answered = 0;
  const take = (req: IncomingMessage, res: ServerResponse, fallback: NodeListener): boolean => {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    if ((query === -1 ? url : url.slice(0, query)) !== HOME_PATH) return false;
    const token = bearerToken(req.headers.authorization);
    const auth = token === null ? undefined : tokens.get(token);
    if (!auth?.account) return false;
    try {
      checkAccess(access, auth);
    } catch {
      return false;
    }
    // The same key the route uses: the query string as the URL standard writes it (plain ones are already).
    const search = query === -1 ? '' : url.slice(query);
    const key = PLAIN_QUERY.test(search) ? search : new URL(url, 'http://localhost').search;
    const page = homeCache.get(auth.account.id, key);
    if (!page) return false;
    if (deps.refused(resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'] as string | undefined))) return false;
    const started = performance.now();
    const answer = (decision: RateDecision) => {
      // Over the limit: the full stack counts the request once more (it is refused either way) and answers 429.
      if (!decision.allowed) return fallback(req, res);
      const requestId = randomUUID();
      const headers = [
        ...fixed,
        ...rateLimitHeaders(perAccount, decision).flat(),
        'X-Request-Id',
        requestId,
        'Content-Length',
        String(page.body.byteLength),
      ];
      if (page.link !== null) headers.push('Link', page.link);
      res.writeHead(200, headers);
      answered++;
      res.end(page.body);
      if (logger.isLevelEnabled('info')) {
        const ip = resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'] as string | undefined);
        logger.info({ requestId, method: 'GET', path: HOME_PATH, status: 200, ms: Math.round(performance.now() - started), ip }, 'request');
      }
    };
    const callerKey = apiCallerKey(auth.account.id);
    if (limiter.hitNow) answer(limiter.hitNow(callerKey, perAccount, API_WINDOW_MS));
    else void limiter.hit(callerKey, perAccount, API_WINDOW_MS).then(answer);
    return true;
  };
  return { take, answered: () => answered };
}
