import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../lib/logger.ts';
import type { AppEnv } from './app-env.ts';
import { clientIpResolver } from './client-ip.ts';

/**
 * Gives each request an id (`X-Request-Id`), its client's address and a logger, and writes one log line
 * when it ends. Only the path is logged, never the query string (it may carry tokens) or any header.
 */
export function requestContext(logger: Logger, trustedProxies: readonly string[]): MiddlewareHandler<AppEnv> {
  const resolveClientIp = clientIpResolver(trustedProxies);
  return async (c, next) => {
    const started = performance.now();
    const requestId = randomUUID();
    const clientIp = resolveClientIp(c.env?.incoming?.socket.remoteAddress, c.req.header('x-forwarded-for'));
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('clientIp', clientIp);
    c.set('log', log);
    await next();
    c.header('X-Request-Id', requestId);
    const status = c.res.status;
    log[status >= 500 ? 'error' : 'info'](
      { method: c.req.method, path: new URL(c.req.url).pathname, status, ms: Math.round(performance.now() - started), ip: clientIp },
      'request',
    );
  };
}
