import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import type { NotificationService } from '../../domain/notifications/notifications.service.ts';
import {
  findNotification,
  markersOf,
  notificationsPage,
  unreadNotifications,
  type NotificationRow,
} from '../../domain/notifications/notifications.views.ts';
import { findStatusesByIds } from '../../domain/statuses/statuses.repo.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeAccount } from './serializers/account.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import { serializeReports } from './serializers/report.serializer.ts';
import { serializeWarnings } from './admin/admin.serializers.ts';
import { findWarningsByIds } from '../../domain/moderation/moderation.repo.ts';
import { findReportsByIds } from '../../domain/reports/reports.repo.ts';
import type { Marker, Notification, NotificationType } from './entities.ts';

const type = z.string().max(40);
const ListInput = z
  .object({ types: stringList(type).optional(), exclude_types: stringList(type).optional(), account_id: z.string().max(64).optional() })
  .loose();
const MarkersInput = z.object({ timeline: stringList(z.enum(['home', 'notifications'])).optional() }).loose();
const marker = z.object({ last_read_id: z.string().min(1).max(64) });
const SaveMarkersInput = z.object({ home: marker.optional(), notifications: marker.optional() });

/** What the notifications API uses: the notification commands, and the reader its listings go through. */
export interface NotificationsRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly notifications: NotificationService;
}

/** Notifications (list, one, dismiss, clear, unread count) and read markers. */
export function notificationsRoutes(deps: NotificationsRouteDeps): RouteDef[] {
  const { read, config, clock, notifications } = deps;

  const present = async (c: Context<AppEnv>, rows: NotificationRow[]): Promise<Notification[]> => {
    const viewerId = currentUser(c).account.id;
    const accounts = new Map(
      (
        await findAccountsByIds(
          read,
          rows.map((r) => r.from_account_id),
        )
      ).map((a) => [a.id, a]),
    );
    const counts = await countAccounts(read, [...accounts.keys()]);
    const statusIds = rows.flatMap((r) => (r.status_id ? [r.status_id] : []));
    const found = await findStatusesByIds(read, statusIds);
    const statuses = new Map(
      (await loadStatusViews(read, viewerId, found, { context: 'notifications', now: isoAt(clock) })).map((v) => [v.status.id, v]),
    );
    // A notification about a post the viewer's filters hide in notifications is left out with it.
    const hidden = new Set(found.flatMap((s) => (statuses.has(s.id) ? [] : [s.id])));
    const warnings = new Map(
      (
        await serializeWarnings(
          read,
          config,
          await findWarningsByIds(
            read,
            rows.flatMap((r) => (r.account_warning_id ? [r.account_warning_id] : [])),
          ),
        )
      ).map((w) => [w.id, w]),
    );
    const reports = new Map(
      (
        await serializeReports(
          read,
          config,
          await findReportsByIds(
            read,
            rows.flatMap((r) => (r.report_id ? [r.report_id] : [])),
          ),
        )
      ).map((rep) => [rep.id, rep]),
    );
    return rows.flatMap((r) => {
      const account = accounts.get(r.from_account_id);
      if (!account || (r.status_id && hidden.has(r.status_id))) return [];
      const status = r.status_id ? statuses.get(r.status_id) : undefined;
      const warning = r.account_warning_id ? warnings.get(r.account_warning_id) : undefined;
      const report = r.report_id ? reports.get(r.report_id) : undefined;
      return [
        {
          id: r.id,
          type: r.type as NotificationType,
          created_at: r.created_at,
          group_key: `ungrouped-${r.id}`,
          account: serializeAccount(account, counts.get(account.id)!, config),
          ...(status ? { status: serializeStatus(status, config) } : {}),
          ...(warning ? { moderation_warning: warning } : {}),
          ...(report ? { report } : {}),
        },
      ];
    });
  };
  const markers = async (accountId: string, timelines?: readonly string[]): Promise<Record<string, Marker>> =>
    Object.fromEntries(
      (await markersOf(read, accountId, timelines)).map((r) => [
        r.timeline,
        { last_read_id: r.last_read_id, version: r.version, updated_at: r.updated_at },
      ]),
    );

  return [
    {
      method: 'GET',
      path: '/api/v1/notifications',
      access: scoped('read:notifications'),
      async handler(c) {
        const input = readInput(c, ListInput);
        const filter = { types: input.types, excludeTypes: input.exclude_types, fromAccountId: input.account_id };
        const rows = await notificationsPage(read, currentUser(c).account.id, isoAt(clock), filter, readPage(c, 40, 80));
        setLinkHeader(
          c,
          config.publicUrl,
          rows.map((r) => r.id),
        );
        return c.json(await present(c, rows));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/notifications/unread_count',
      access: scoped('read:notifications'),
      async handler(c) {
        return c.json({ count: await unreadNotifications(read, currentUser(c).account.id, isoAt(clock)) });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/notifications/clear',
      access: scoped('write:notifications'),
      async handler(c) {
        await notifications.clear(apiActor(currentUser(c).account));
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/notifications/:id',
      access: scoped('read:notifications'),
      async handler(c) {
        const row = await findNotification(read, currentUser(c).account.id, isoAt(clock), c.req.param('id')!);
        const [shown] = row ? await present(c, [row]) : [];
        if (!shown) throw new NotFound();
        return c.json(shown);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/notifications/:id/dismiss',
      access: scoped('write:notifications'),
      async handler(c) {
        await notifications.dismiss(apiActor(currentUser(c).account), c.req.param('id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/markers',
      access: scoped('read:statuses'),
      async handler(c) {
        const { timeline = [] } = readInput(c, MarkersInput);
        return c.json(await markers(currentUser(c).account.id, timeline));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/markers',
      access: scoped('write:statuses'),
      async handler(c) {
        const { account } = currentUser(c);
        const input = readInput(c, SaveMarkersInput);
        await notifications.saveMarkers(apiActor(account), {
          home: input.home?.last_read_id,
          notifications: input.notifications?.last_read_id,
        });
        return c.json(await markers(account.id));
      },
    },
  ];
}
