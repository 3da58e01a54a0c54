import { backupStanding } from '../domain/instance/backup-age.ts';
import type { Hono } from 'hono';
import type { StoaFederation } from '../http/activitypub/federation.ts';
import { fetchBlocklist } from '../federation/blocklists.ts';
import { healthRoutes } from '../http/health.routes.ts';
import { accountsRoutes } from '../http/mastodon/accounts.routes.ts';
import { appsRoutes } from '../http/mastodon/apps.routes.ts';
import { announcementsRoutes } from '../http/mastodon/announcements.routes.ts';
import { trendsRoutes } from '../http/mastodon/trends.routes.ts';
import { discoveryRoutes } from '../http/mastodon/discovery.routes.ts';
import { graphRoutes } from '../http/mastodon/graph.routes.ts';
import { instanceRoutes } from '../http/mastodon/instance.routes.ts';
import { mediaRoutes } from '../http/mastodon/media.routes.ts';
import { migrationRoutes } from '../http/mastodon/migration.routes.ts';
import { notificationsRoutes } from '../http/mastodon/notifications.routes.ts';
import { pushRoutes } from '../http/mastodon/push.routes.ts';
import { reportsRoutes } from '../http/mastodon/reports.routes.ts';
import { adminAccountsRoutes } from '../http/mastodon/admin/admin-accounts.routes.ts';
import { adminBlocksRoutes } from '../http/mastodon/admin/admin-blocks.routes.ts';
import { adminMeasuresRoutes } from '../http/mastodon/admin/admin-measures.routes.ts';
import { adminReportsRoutes } from '../http/mastodon/admin/admin-reports.routes.ts';
import { searchRoutes } from '../http/mastodon/search.routes.ts';
import { statusesRoutes } from '../http/mastodon/statuses.routes.ts';
import { filtersRoutes } from '../http/mastodon/filters.routes.ts';
import { scheduledStatusesRoutes } from '../http/mastodon/scheduled-statuses.routes.ts';
import { conversationsRoutes } from '../http/mastodon/conversations.routes.ts';
import { pollsRoutes } from '../http/mastodon/polls.routes.ts';
import { notificationRequestsRoutes } from '../http/mastodon/notification-requests.routes.ts';
import { listsRoutes } from '../http/mastodon/lists.routes.ts';
import { timelinesRoutes } from '../http/mastodon/timelines.routes.ts';
import { mediaFileRoutes } from '../http/media/media-files.routes.ts';
import { authorizeRoutes } from '../http/oauth/authorize.routes.ts';
import { tokenRoutes } from '../http/oauth/token.routes.ts';
import type { AppEnv } from '../http/shared/app-env.ts';
import type { BrowserSessions } from '../http/shared/browser-session.ts';
import type { RouteDef } from '../http/shared/route-table.ts';
import { adminRoleRoutes } from '../http/web/admin/roles.routes.ts';
import { moderationPages } from '../http/web/admin/moderation.routes.ts';
import { strikesRoutes } from '../http/web/settings/strikes.routes.ts';
import { importRoutes } from '../http/web/settings/import.routes.ts';
import { migrationPageRoutes } from '../http/web/settings/migration.routes.ts';
import { passkeySignInRoutes } from '../http/web/auth/passkey.routes.ts';
import { passwordRoutes } from '../http/web/auth/password.routes.ts';
import { signInRoutes } from '../http/web/auth/sign-in.routes.ts';
import { signUpRoutes } from '../http/web/auth/sign-up.routes.ts';
import { webAppRoutes } from '../http/web/app/app.routes.ts';
import { homeRoutes } from '../http/web/home.routes.ts';
import { publicPagesRoutes } from '../http/web/public/public-pages.routes.ts';
import { securityRoutes } from '../http/web/settings/security.routes.ts';
import { staticRoutes } from '../http/web/static.routes.ts';
import type { Services } from './services.ts';

/**
 * The Mastodon API's route table, each resource given exactly the services it uses. Static paths come
 * before parameterized ones: /accounts/relationships before /accounts/:id.
 */
export function apiRouteTable(services: Services, federation: StoaFederation): RouteDef[] {
  const { config, clock, db, commands } = services;
  const read = db.read;
  const resolve = (query: string, options?: { fresh?: boolean }) => federation.resolve(query, options);
  return [
    ...appsRoutes({ clock, db, issuance: services.issuance, vapidKey: () => vapidKeyOf(services) }),
    ...graphRoutes({ config, clock, read, graph: commands.graph, picks: commands.picks }),
    ...migrationRoutes({ config, read, migration: commands.migration, resolve }),
    // Before the accounts' `:id` routes: `/api/v1/accounts/search` is no account id.
    ...searchRoutes({ config, clock, read, search: services.search, graph: commands.graph, resolveRemote: resolve }),
    ...discoveryRoutes({ config, read, picks: commands.picks, suggestions: commands.suggestions }),
    ...announcementsRoutes({ config, clock, read, announcements: commands.announcements }),
    ...trendsRoutes({ config, clock, read, trends: commands.trends }),
    ...accountsRoutes({
      config,
      db,
      accounts: commands.accounts,
      registration: services.registration,
      tokens: services.tokens,
      media: services.media,
      proofOfWork: services.proofOfWork,
    }),
    ...statusesRoutes({ config, clock, read, statuses: commands.statuses }),
    ...timelinesRoutes({ config, clock, read, homeCache: services.homeCache }),
    ...listsRoutes({ config, clock, read, lists: commands.lists }),
    ...filtersRoutes({ clock, read, filters: commands.filters }),
    ...scheduledStatusesRoutes({ config, read, statuses: commands.statuses }),
    ...conversationsRoutes({ config, clock, read, conversations: commands.conversations }),
    ...pollsRoutes({ clock, read, polls: commands.polls }),
    ...notificationRequestsRoutes({ config, read, notifications: commands.notifications }),
    ...notificationsRoutes({ config, clock, read, notifications: commands.notifications }),
    ...reportsRoutes({ config, read, reports: commands.reports, limiter: services.limiter }),
    ...adminAccountsRoutes({ config, read, moderation: commands.moderation }),
    ...adminReportsRoutes({ config, read, moderation: commands.moderation }),
    ...adminBlocksRoutes({
      config,
      read,
      blocks: commands.blocks,
      policySettled: () => services.policy.settled(),
      fetchBlocklist: (url) => fetchBlocklist(federation.safeFetch, url),
    }),
    ...adminMeasuresRoutes({ read }),
    ...pushRoutes({ push: services.push }),
    ...mediaRoutes({ config, media: services.media }),
  ];
}

/** Mounts the surfaces other than the API's route table: health, Instance, OAuth, the web pages, media files. */
export function mountPages(http: Hono<AppEnv>, services: Services, browser: BrowserSessions, federation: StoaFederation): void {
  const { config, clock, db } = services;
  const { throttle, passkeys, signers } = services;
  const vapidKey = () => vapidKeyOf(services);
  http.route('/', healthRoutes(db, { verifiedAt: () => services.backups.value(), clock }));
  http.route('/', instanceRoutes(config, services.instance, vapidKey, db.read));
  http.route('/', tokenRoutes({ config, clock, db, tokens: services.tokens, throttle, issuance: services.issuance }));
  http.route('/', authorizeRoutes({ config, clock, db }, browser));
  http.route('/', signInRoutes({ config, clock, db, passkeys, totp: services.totp, throttle, signers }, browser));
  http.route('/', passkeySignInRoutes({ passkeys, throttle, signers }, browser));
  http.route('/', signUpRoutes({ config, registration: services.registration, proofOfWork: services.proofOfWork }, browser));
  http.route('/', passwordRoutes({ config, registration: services.registration }, browser));
  http.route(
    '/',
    securityRoutes(
      {
        config,
        db,
        accounts: services.commands.accounts,
        sessions: services.sessions,
        passkeys,
        totp: services.totp,
        throttle,
        limiter: services.limiter,
        signers,
      },
      browser,
    ),
  );
  http.route('/', adminRoleRoutes({ clock, db, logger: services.logger, passkeys }, browser));
  http.route(
    '/',
    moderationPages(
      {
        config,
        read: db.read,
        moderation: services.commands.moderation,
        blocks: services.commands.blocks,
        policySettled: () => services.policy.settled(),
        fetchBlocklist: (url) => fetchBlocklist(federation.safeFetch, url),
        backupStanding: () => backupStanding(services.backups.value(), clock()),
      },
      browser,
    ),
  );
  http.route('/', strikesRoutes({ config, read: db.read, moderation: services.commands.moderation }, browser));
  http.route('/', importRoutes({ config, read: db.read, imports: services.commands.imports }, browser));
  http.route(
    '/',
    migrationPageRoutes(
      {
        config,
        read: db.read,
        migration: services.commands.migration,
        resolve: (q, o) => federation.resolve(q, o),
        throttle,
        totp: services.totp,
      },
      browser,
    ),
  );
  http.route('/', staticRoutes());
  http.route('/', mediaFileRoutes({ blobs: services.blobs }));
  http.route('/', webAppRoutes({ config, clock, db, minter: services.minter, vapidKey }, browser));
  http.route('/', homeRoutes(config, services.instance));
  http.route('/', publicPagesRoutes({ config, clock, read: db.read, instance: services.instance }, browser));
}

async function vapidKeyOf(services: Services): Promise<string> {
  return (await services.push.vapidKeys()).publicKey;
}
