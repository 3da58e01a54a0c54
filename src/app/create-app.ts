import { closingMessage, refusedWhileClosing } from '../domain/instance/closing.ts';
import { claimServerDomain } from '../domain/instance/server-domain.ts';
import { publicRateLimit } from '../http/shared/public-rate-limit.ts';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { Config } from '../config/index.ts';
import { findAccountById, findUserByAccountId, hasSecondFactor, type UserRow } from '../domain/accounts/accounts.repo.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { mastodonError } from '../http/mastodon/errors.ts';
import type { AppEnv } from '../http/shared/app-env.ts';
import { parseBody } from '../http/shared/body.ts';
import { MAX_ARCHIVE_BYTES } from '../domain/accounts/post-archive.ts';
import { refuseNulInUrl } from '../http/shared/nul.ts';
import { browserSessions } from '../http/shared/browser-session.ts';
import { API_CORS } from '../http/shared/cors.ts';
import { toPublicError, type PublicError } from '../http/shared/error-response.ts';
import { HttpError } from '../http/shared/http-error.ts';
import { requestContext } from '../http/shared/request-context.ts';
import { mountRoutes, type ApiAuth, type RouteDef, type TokenResolver } from '../http/shared/route-table.ts';
import { tokenCache } from '../http/shared/token-cache.ts';
import { signInRefusal } from '../domain/auth/sign-in.service.ts';
import { recordFlagRules } from '../domain/moderation/flagging/flag-status.ts';
import { HOME_PATH, homeFastPath, type FastPath } from '../http/mastodon/home-fast-path.ts';
import { securityHeaders } from '../http/shared/security-headers.ts';
import { webErrorPage } from '../http/web/error-page.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';
import { createServices, type Services } from './services.ts';
import { apiRouteTable, mountPages } from './surfaces.ts';
import { startWorkers, type Workers } from '../workers/start-workers.ts';
import { createStoaFederation, type StoaFederation } from '../http/activitypub/federation.ts';

/** A built Stoa: the request handler and what it stands on, and one `close()` for all of it. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly services: Services;
  /** ActivityPub: actors, inboxes, delivery workers, remote lookups. */
  readonly federation: StoaFederation;
  /** The Mastodon API's route table: every route with the access it requires. */
  readonly apiRoutes: readonly Pick<RouteDef, 'method' | 'path' | 'access'>[];
  /** Answers one web-standard request; what `@hono/node-server` (or a test) calls. */
  fetch(request: Request, env?: object): Response | Promise<Response>;
  /** Answers the few requests it can from memory before `fetch` is involved (true if it took the request). */
  readonly fastPath: FastPath | null;
  /** Starts the worker role in this process (cleanup, jobs, federation's queues, Web Push). */
  startWorkers(): Workers;
  /** Releases the database and every other resource; safe to call more than once. */
  close(): Promise<void>;
}

/** Paths that receive files. */
const UPLOAD_PATHS = /^\/api\/v[12]\/media\/?$|^\/api\/v1\/accounts\/update_credentials\/?$/;

/** Paths whose clients are programs: their errors are JSON even when a browser asks. */
const API_PATHS = /^\/(api|oauth\/(token|revoke)|\.well-known|nodeinfo|health|ready)(\/|$)/;

/**
 * Builds storage, services and the HTTP surfaces from the configuration. Opens the database and brings
 * its schema to the newest migration (several processes may do so at once), then returns the app.
 */
export async function createApp(
  config: Config,
  options: { logger?: Logger; clock?: Clock; role?: 'web' | 'worker' | 'all' } = {},
): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = openDatabase(config.database, logger);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ category: 'db', applied }, 'database migrated');
    await claimServerDomain(db, config.domain, new Date((options.clock ?? systemClock)()).toISOString());
  } catch (error) {
    await db.close();
    throw error;
  }

  // With the web and worker roles in separate processes, writes happen in both: caches of one process
  // could not be told of the other's writes, so they are off.
  const soleWriter = (options.role ?? 'all') === 'all';
  if (!soleWriter && config.homeCacheBytes > 0) {
    logger.info(
      { category: 'cache', role: options.role },
      'home page and token caches are off: another process (the other role) writes this database too',
    );
  }
  const services = createServices(config, db, logger, options.clock ?? systemClock, { soleWriter });
  await services.policy.reload();
  await services.closing.reload();
  await services.backups.reload();
  const flagRules = config.instance.flagRules;
  await recordFlagRules(services.run, db.read, services.flagger, typeof flagRules === 'string' ? flagRules : flagRules.file);
  const browser = browserSessions({ config, read: db.read, sessions: services.sessions });
  // Resolved tokens are kept for a few seconds where this process makes every write (as for the home cache).
  const tokens = services.homeCache ? tokenCache(db, services.clock) : null;
  const resolveToken: TokenResolver = async (token) => {
    const cached = tokens?.get(token);
    if (cached) return cached;
    const ticket = tokens?.begin() ?? 0;
    const grant = await services.tokens.authenticate(token);
    if (grant === null || grant === 'decoy') return grant;
    let auth: ApiAuth | null = { grant, account: null, user: null };
    if (grant.accountId !== null) {
      const account = await findAccountById(db.read, grant.accountId);
      const user = account ? await findUserByAccountId(db.read, account.id) : undefined;
      auth = account && user && !signInRefusal(account, user) ? { grant, account, user } : null;
      // A sign-up's token acts once its address is confirmed; until then it is answered as a decoy is.
      if (user && user.confirmed_at === null) return 'decoy';
    }
    if (auth) tokens?.put(ticket, token, auth);
    return auth;
  };

  const federation = createStoaFederation({
    config,
    db,
    clock: services.clock,
    logger,
    changes: services.changes,
    commands: services.commands,
    media: services.media,
    instance: services.instance,
    policy: services.policy,
  });
  // Every route answers with or without a trailing slash, as Mastodon's routing does (client libraries
  // ask for some paths with one).
  const http = new Hono<AppEnv>({ strict: false });
  http.use(requestContext(logger.child({ category: 'http' }), config.trustedProxies));
  http.use(securityHeaders({ https: !config.insecureHttp }));
  http.use(refuseNulInUrl());
  // An address blocked with `no_access` is served nothing at all.
  http.use(async (c, next) => {
    if (services.policy.ipSeverity(c.var.clientIp) === 'no_access') throw new HttpError(403, 'Access from your address is blocked');
    await next();
  });
  // Every public surface (pages, feeds, ActivityPub reads) has a budget per address, as the API has.
  http.use(publicRateLimit(services.limiter, config.limits));
  // ActivityPub and discovery first: Fedify answers its paths and hands everything else on.
  http.use(async (c, next) => {
    const response = await federation.handle(c.req.raw, async () => {
      await next();
      return c.res;
    });
    if (response !== c.res) c.res = response;
  });
  http.use('/api/*', cors({ ...API_CORS, allowHeaders: [...API_CORS.allowHeaders], exposeHeaders: [...API_CORS.exposeHeaders] }));
  http.use('/oauth/token', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Authorization', 'Content-Type'] }));
  http.use('/oauth/revoke', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Authorization', 'Content-Type'] }));
  // A closing server is read-only for members, who can still sign in, export their data and move.
  http.use(async (c, next) => {
    const until = services.closing.value();
    if (until !== null && refusedWhileClosing(c.req.method, c.req.path)) throw new HttpError(403, closingMessage(until));
    await next();
  });
  // Uploads may be as large as the largest file allowed (plus the form around it); everything else is small.
  const uploadBytes = Math.max(config.media.maxImageBytes, config.media.maxVideoBytes) + 64 * 1024;
  const bodyLimit = (path: string) =>
    UPLOAD_PATHS.test(path)
      ? Math.max(uploadBytes, config.limits.requestBodyBytes)
      : path === '/settings/import'
        ? Math.max(MAX_ARCHIVE_BYTES, config.limits.requestBodyBytes)
        : config.limits.requestBodyBytes;
  for (const path of ['/api/*', '/oauth/*', '/auth/*', '/settings/*', '/admin/*']) http.use(path, parseBody(bodyLimit));
  for (const path of ['/oauth/authorize', '/auth/*', '/settings/*', '/admin/*']) http.use(path, browser.middleware);

  const apiRoutes = apiRouteTable(services, federation);
  const staffSecondFactor = config.auth.staffSecondFactor ? (user: UserRow) => hasSecondFactor(db.read, user) : undefined;
  mountRoutes(http, apiRoutes, resolveToken, { limiter: services.limiter, limits: config.limits, staffSecondFactor });
  const homeRoute = apiRoutes.find((r) => r.method === 'GET' && r.path === HOME_PATH)!;
  const fastPath =
    services.homeCache && tokens
      ? homeFastPath({
          homeCache: services.homeCache,
          tokens,
          access: homeRoute.access,
          limiter: services.limiter,
          perAccount: config.limits.apiPerAccount,
          logger: logger.child({ category: 'http' }),
          trustedProxies: config.trustedProxies,
          https: !config.insecureHttp,
          refused: (ip) => services.policy.ipSeverity(ip) === 'no_access',
        })
      : null;
  mountPages(http, services, browser, federation);

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
    services,
    federation,
    apiRoutes: apiRoutes.map(({ method, path, access }) => ({ method, path, access })),
    fetch: (request, env) => http.fetch(request, env),
    fastPath,
    startWorkers: () =>
      startWorkers({
        config,
        db,
        clock: services.clock,
        logger,
        changes: services.changes,
        media: services.media,
        push: services.push,
        statuses: services.commands.statuses,
        imports: services.commands.imports,
        polls: services.commands.polls,
        cards: services.commands.cards,
        moderation: services.commands.moderation,
        blocks: services.commands.blocks,
        registration: services.registration,
        federation,
      }),
    close: async () => {
      services.policy.close();
      services.closing.close();
      services.backups.close();
      services.media.close();
      await db.close();
    },
  };
}
