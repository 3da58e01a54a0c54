import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import type { NotificationService } from '../../domain/notifications/notifications.service.ts';
import {
  findNotification,
  markersOf,
  notificationsOfGroup,
  notificationsPage,
  unreadNotificationRows,
  unreadNotifications,
  type NotificationRow,
} from '../../domain/notifications/notifications.views.ts';
import {
  DEFAULT_GROUPED_TYPES,
  GROUPABLE_TYPES,
  groupKeyOf,
  groupPage,
  type NotificationGroup,
} from '../../domain/notifications/grouping.ts';
import { findStatusesByIds } from '../../domain/statuses/statuses.repo.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountEntities, accountsInOrder } from './account-list.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import { serializeReports } from './serializers/report.serializer.ts';
import { serializeWarnings } from './admin/admin.serializers.ts';
import { findWarningsByIds } from '../../domain/moderation/moderation.repo.ts';
import { findReportsByIds } from '../../domain/reports/reports.repo.ts';
import type { GroupedNotificationsResults, Marker, Notification, NotificationType } from './entities.ts';

const type = z.string().max(40);
const ListInput = z
  .object({
    types: stringList(type).optional(),
    exclude_types: stringList(type).optional(),
    account_id: z.string().max(64).optional(),
    include_filtered: formBool.optional(),
  })
  .loose();
const types = stringList(type).pipe(z.array(type).max(20));
const GroupedInput = z
  .object({
    types: types.optional(),
    exclude_types: types.optional(),
    grouped_types: types.optional(),
    account_id: z.string().max(64).optional(),
    expand_accounts: z.enum(['full', 'partial_avatars']).optional(),
    // Include what the member's notification policy held back.
    include_filtered: formBool.optional(),
    // The types the client can show: the others are left out.
    supported_types: types.optional(),
  })
  .loose();
const UnreadInput = GroupedInput.pick({ types: true, exclude_types: true, grouped_types: true, account_id: true }).extend({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
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

  /**
   * What a page of notifications shows, loaded once for the whole page: the accounts they come from, the
   * statuses (as the viewer sees them, filters applied), strikes and reports. A notification about a post
   * the viewer's filters hide in notifications is left out with it.
   */
  const loadParts = async (viewerId: string, rows: readonly NotificationRow[]) => {
    const accountRows = new Map(
      (
        await findAccountsByIds(
          read,
          rows.map((r) => r.from_account_id),
        )
      ).map((a) => [a.id, a]),
    );
    const accounts = await accountEntities(read, config, [...accountRows.values()]);
    const statusIds = rows.flatMap((r) => (r.status_id ? [r.status_id] : []));
    const found = await findStatusesByIds(read, statusIds);
    const views = await loadStatusViews(read, viewerId, found, { context: 'notifications', now: isoAt(clock) });
    const statuses = new Map(views.map((v) => [v.status.id, serializeStatus(v, config)]));
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
    /** Whether a notification is shown at all: its sender is known, its post not hidden by a filter. */
    const shown = (r: NotificationRow) => accounts.has(r.from_account_id) && !(r.status_id && hidden.has(r.status_id));
    return { accounts, statuses, warnings, reports, shown };
  };

  const present = async (c: Context<AppEnv>, rows: NotificationRow[]): Promise<Notification[]> => {
    const parts = await loadParts(currentUser(c).account.id, rows);
    return rows.flatMap((r) => {
      if (!parts.shown(r)) return [];
      const status = r.status_id ? parts.statuses.get(r.status_id) : undefined;
      const warning = r.account_warning_id ? parts.warnings.get(r.account_warning_id) : undefined;
      const report = r.report_id ? parts.reports.get(r.report_id) : undefined;
      return [
        {
          id: r.id,
          type: r.type as NotificationType,
          created_at: r.created_at,
          group_key: groupKeyOf(r),
          account: parts.accounts.get(r.from_account_id)!,
          ...(status ? { status } : {}),
          ...(warning ? { moderation_warning: warning } : {}),
          ...(report ? { report } : {}),
        },
      ];
    });
  };

  /**
   * Mastodon's grouped notifications for a page of groups: each account and status once, the groups
   * referring to them by id. With `partial_avatars`, only each group's newest account is given whole.
   */
  const presentGroups = async (
    viewerId: string,
    groups: readonly NotificationGroup[],
    rows: readonly NotificationRow[],
    expand: 'full' | 'partial_avatars',
  ): Promise<GroupedNotificationsResults> => {
    const parts = await loadParts(viewerId, rows);
    const kept = groups.filter((g) => parts.shown(g.latest));
    const full = new Set<string>();
    const partial = new Set<string>();
    for (const group of kept) {
      const ids = group.sampleAccountIds.filter((id) => parts.accounts.has(id));
      ids.forEach((id, i) => (expand === 'full' || i === 0 ? full : partial).add(id));
    }
    for (const id of full) partial.delete(id);
    const statusIds = new Set(
      kept.flatMap((g) => (g.latest.status_id && parts.statuses.has(g.latest.status_id) ? [g.latest.status_id] : [])),
    );
    return {
      accounts: [...full].map((id) => parts.accounts.get(id)!),
      ...(expand === 'partial_avatars'
        ? {
            partial_accounts: [...partial].map((id) => {
              const a = parts.accounts.get(id)!;
              return { id: a.id, acct: a.acct, url: a.url, avatar: a.avatar, avatar_static: a.avatar_static, locked: a.locked, bot: a.bot };
            }),
          }
        : {}),
      statuses: [...statusIds].map((id) => parts.statuses.get(id)!),
      notification_groups: kept.map((g) => {
        const warning = g.latest.account_warning_id ? parts.warnings.get(g.latest.account_warning_id) : undefined;
        const report = g.latest.report_id ? parts.reports.get(g.latest.report_id) : undefined;
        return {
          group_key: g.key,
          notifications_count: g.count,
          type: g.type as NotificationType,
          most_recent_notification_id: g.latest.id,
          page_min_id: g.pageMinId,
          page_max_id: g.pageMaxId,
          latest_page_notification_at: g.latest.created_at,
          sample_account_ids: g.sampleAccountIds.filter((id) => parts.accounts.has(id)),
          ...(g.latest.status_id && parts.statuses.has(g.latest.status_id) ? { status_id: g.latest.status_id } : {}),
          ...(warning ? { moderation_warning: warning } : {}),
          ...(report ? { report } : {}),
        };
      }),
    };
  };

  /** The notifications of one of the viewer's groups (newest first), or 404. */
  const groupRows = async (c: Context<AppEnv>) => {
    const rows = await notificationsOfGroup(read, currentUser(c).account.id, isoAt(clock), c.req.param('group_key')!);
    if (!rows.length) throw new NotFound();
    return rows;
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
        const filter = {
          types: input.types,
          excludeTypes: input.exclude_types,
          fromAccountId: input.account_id,
          includeFiltered: input.include_filtered,
        };
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
      path: '/api/v2/notifications',
      access: scoped('read:notifications'),
      async handler(c) {
        const input = readInput(c, GroupedInput);
        const viewerId = currentUser(c).account.id;
        const supported = input.supported_types;
        const wanted = supported ? (input.types ?? supported).filter((t) => supported.includes(t)) : input.types;
        if (wanted && !wanted.length)
          return c.json({ accounts: [], statuses: [], notification_groups: [] } satisfies GroupedNotificationsResults);
        const filter = {
          types: wanted,
          excludeTypes: input.exclude_types,
          fromAccountId: input.account_id,
          includeFiltered: input.include_filtered,
        };
        const page = readPage(c, 40, 80);
        // Read past the page's end, so that a group's older notifications are counted with it.
        const rows = await notificationsPage(read, viewerId, isoAt(clock), filter, { ...page, limit: Math.min(page.limit * 5, 400) });
        const grouped = new Set(input.grouped_types ?? DEFAULT_GROUPED_TYPES);
        const { groups, minId, maxId } = groupPage(rows, page.limit, grouped);
        setLinkHeader(c, config.publicUrl, minId && maxId ? [maxId, minId] : []);
        const inPage = rows.filter((r) => minId !== null && r.id >= minId);
        return c.json(await presentGroups(viewerId, groups, inPage, input.expand_accounts ?? 'full'));
      },
    },
    {
      method: 'GET',
      path: '/api/v2/notifications/unread_count',
      access: scoped('read:notifications'),
      async handler(c) {
        const input = readInput(c, UnreadInput);
        const viewerId = currentUser(c).account.id;
        const rows = await unreadNotificationRows(read, viewerId, isoAt(clock), {
          types: input.types,
          excludeTypes: input.exclude_types,
          fromAccountId: input.account_id,
        });
        const grouped = new Set(input.grouped_types ?? DEFAULT_GROUPED_TYPES);
        const limit = input.limit ?? 100;
        return c.json({ count: Math.min(limit, new Set(rows.map((r) => groupKeyOf(r, grouped))).size) });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/notifications/:group_key',
      access: scoped('read:notifications'),
      async handler(c) {
        const rows = await groupRows(c);
        const { groups } = groupPage(rows, 1, GROUPABLE_TYPES);
        return c.json(await presentGroups(currentUser(c).account.id, groups, rows, 'full'));
      },
    },
    {
      method: 'GET',
      path: '/api/v2/notifications/:group_key/accounts',
      access: scoped('read:notifications'),
      async handler(c) {
        const rows = await groupRows(c);
        const ids = [...new Set(rows.map((r) => r.from_account_id))];
        return c.json([...(await accountsInOrder(read, config, ids)).values()]);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/notifications/:group_key/dismiss',
      access: scoped('write:notifications'),
      async handler(c) {
        const rows = await groupRows(c);
        await notifications.dismissAll(
          apiActor(currentUser(c).account),
          rows.map((r) => r.id),
        );
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
