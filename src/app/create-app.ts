import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { Config } from '../config/index.ts';
import { createInstanceService } from '../domain/instance/instance.service.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { healthRoutes } from '../http/health.routes.ts';
import { mastodonError } from '../http/mastodon/errors.ts';
import { instanceRoutes } from '../http/mastodon/instance.routes.ts';
import type { AppEnv } from '../http/shared/app-env.ts';
import { parseBody } from '../http/shared/body.ts';
import { toPublicError, type PublicError } from '../http/shared/error-response.ts';
import { HttpError } from '../http/shared/http-error.ts';
import { requestContext } from '../http/shared/request-context.ts';
import { securityHeaders } from '../http/shared/security-headers.ts';
import { webErrorPage } from '../http/web/error-page.ts';
import { homeRoutes } from '../http/web/home.routes.ts';
import { staticRoutes } from '../http/web/static.routes.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';

/** A built Stoa: the request handler and what it stands on, and one `close()` for all of it. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  /** Answers one web-standard request; what `@hono/node-server` (or a test) calls. */
  fetch(request: Request, env?: object): Response | Promise<Response>;
  /** Releases the database and every other resource; safe to call more than once. */
  close(): Promise<void>;
}

/** Paths whose clients are programs: their errors are JSON even when a browser asks. */
const API_PATHS = /^\/(api|oauth|\.well-known|nodeinfo|health|ready)(\/|$)/;

/**
 * Builds storage, services and the HTTP surfaces from the configuration. Opens the database and brings
 * its schema to the newest migration (several processes may do so at once), then returns the app.
 */
export async function createApp(config: Config, options: { logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = openDatabase(config.database, logger);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ category: 'db', applied }, 'database migrated');
  } catch (error) {
    await db.close();
    throw error;
  }

  const instance = createInstanceService(db);
  const http = new Hono<AppEnv>();
  http.use(requestContext(logger.child({ category: 'http' }), config.trustedProxies));
  http.use(securityHeaders({ https: !config.insecureHttp }));
  http.use('/api/*', cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'], exposeHeaders: ['Link', 'X-Request-Id'], maxAge: 86400 }));
  http.use('/api/*', parseBody(config.limits.requestBodyBytes));
  http.use('/oauth/*', parseBody(config.limits.requestBodyBytes));

  http.route('/', healthRoutes(db));
  http.route('/', instanceRoutes(config, instance));
  http.route('/', staticRoutes());
  http.route('/', homeRoutes(config, instance));

  const answer = (c: Context<AppEnv>, error: PublicError) =>
    !API_PATHS.test(c.req.path) && (c.req.header('accept') ?? '').includes('text/html')
      ? webErrorPage(c, error, config.instance.name)
      : mastodonError(c, error);
  http.notFound((c) => answer(c, toPublicError(new HttpError(404, 'Not found'))));
  http.onError((error, c) => {
    const publicError = toPublicError(error);
    if (publicError.internal) (c.var.log ?? logger).error({ err: error }, 'unhandled error');
    return answer(c, publicError);
  });

  return {
    config,
    logger,
    db,
    fetch: (request, env) => http.fetch(request, env),
    close: () => db.close(),
  };
}
