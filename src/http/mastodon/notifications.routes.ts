import type { Context } from 'hono';
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { NotFound } from '../../domain/errors.ts';
import { loadStatusViews } from '../../domain/statuses/status-views.ts';
import { findStatusesByIds } from '../../domain/statuses/statuses.repo.ts';
import { visibleTo } from '../../domain/statuses/visibility-policy.ts';
import { isoAt } from '../../lib/clock.ts';
import type { Selectable } from 'kysely';
import type { NotificationsTable } from '../../storage/db/schema.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeAccount } from './serializers/account.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';

const type = z.string().max(40);
const ListInput = z
  .object({ types: stringList(type).optional(), exclude_types: stringList(type).optional(), account_id: z.string().max(64).optional() })
  .loose();
const MarkersInput = z.object({ timeline: stringList(z.enum(['home', 'notifications'])).optional() }).loose();
const marker = z.object({ last_read_id: z.string().min(1).max(64) });
const SaveMarkersInput = z.object({ home: marker.optional(), notifications: marker.optional() });

/** Notifications (list, one, dismiss, clear, unread count) and read markers. */
export function notificationsRoutes(services: Services): RouteDef[] {
  const { db, config, clock } = services;

  /** Notifications the recipient may still see: from accounts not suspended, blocked or muted, about visible statuses. */
  const visibleQuery = (viewerId: string) =>
    db.read
      .selectFrom('notifications')
      .selectAll('notifications')
      .where('notifications.account_id', '=', viewerId)
      .where(sql<SqlBool>`not exists (select 1 from accounts a where a.id = notifications.from_account_id and a.suspended_at is not null)`)
      .where(
        sql<SqlBool>`not exists (select 1 from blocks b where b.account_id = ${viewerId} and b.target_account_id = notifications.from_account_id)`,
      )
      .where(
        sql<SqlBool>`not exists (select 1 from mutes m where m.account_id = ${viewerId} and m.target_account_id = notifications.from_account_id and m.hide_notifications = ${true} and (m.expires_at is null or m.expires_at > ${isoAt(clock)}))`,
      )
      .where(
        sql<SqlBool>`(notifications.status_id is null or exists (select 1 from statuses where statuses.id = notifications.status_id and ${visibleTo(viewerId)}))`,
      );

  const present = async (c: Context<AppEnv>, rows: Selectable<NotificationsTable>[]) => {
    const viewerId = currentUser(c).account.id;
    const accounts = new Map(
      (
        await findAccountsByIds(
          db.read,
          rows.map((r) => r.from_account_id),
        )
      ).map((a) => [a.id, a]),
    );
    const counts = await countAccounts(db.read, [...accounts.keys()]);
    const statuses = new Map(
      (
        await loadStatusViews(
          db.read,
          viewerId,
          await findStatusesByIds(
            db.read,
            rows.flatMap((r) => (r.status_id ? [r.status_id] : [])),
          ),
        )
      ).map((v) => [v.status.id, v]),
    );
    return rows.flatMap((r) => {
      const account = accounts.get(r.from_account_id);
      if (!account) return [];
      const status = r.status_id ? statuses.get(r.status_id) : undefined;
      return [
        {
          id: r.id,
          type: r.type,
          created_at: r.created_at,
          group_key: `ungrouped-${r.id}`,
          account: serializeAccount(account, counts.get(account.id)!, config),
          ...(status ? { status: serializeStatus(status, config) } : {}),
        },
      ];
    });
  };

  const lastRead = async (accountId: string, timeline: string) =>
    (
      await db.read
        .selectFrom('markers')
        .select('last_read_id')
        .where('account_id', '=', accountId)
        .where('timeline', '=', timeline)
        .executeTakeFirst()
    )?.last_read_id;

  return [
    {
      method: 'GET',
      path: '/api/v1/notifications',
      access: scoped('read:notifications'),
      async handler(c) {
        const input = readInput(c, ListInput);
        const page = readPage(c, 40, 80);
        let query = visibleQuery(currentUser(c).account.id);
        if (input.types?.length) query = query.where('notifications.type', 'in', input.types);
        if (input.exclude_types?.length) query = query.where('notifications.type', 'not in', input.exclude_types);
        if (input.account_id) query = query.where('notifications.from_account_id', '=', input.account_id);
        if (page.maxId) query = query.where('notifications.id', '<', page.maxId);
        const after = page.minId ?? page.sinceId;
        if (after) query = query.where('notifications.id', '>', after);
        const rows = page.minId
          ? (await query.orderBy('notifications.id', 'asc').limit(page.limit).execute()).reverse()
          : await query.orderBy('notifications.id', 'desc').limit(page.limit).execute();
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
        const { account } = currentUser(c);
        const since = await lastRead(account.id, 'notifications');
        let query = visibleQuery(account.id);
        if (since) query = query.where('notifications.id', '>', since);
        const rows = await query.select('notifications.id').limit(1000).execute();
        return c.json({ count: rows.length });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/notifications/clear',
      access: scoped('write:notifications'),
      async handler(c) {
        await db.transaction((tx) => tx.deleteFrom('notifications').where('account_id', '=', currentUser(c).account.id).execute());
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/notifications/:id',
      access: scoped('read:notifications'),
      async handler(c) {
        const row = await visibleQuery(currentUser(c).account.id).where('notifications.id', '=', c.req.param('id')!).executeTakeFirst();
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
        const removed = await db.transaction((tx) =>
          tx
            .deleteFrom('notifications')
            .where('account_id', '=', currentUser(c).account.id)
            .where('id', '=', c.req.param('id')!)
            .executeTakeFirst(),
        );
        if (Number(removed.numDeletedRows) === 0) throw new NotFound();
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/markers',
      access: scoped('read:statuses'),
      async handler(c) {
        const { timeline = [] } = readInput(c, MarkersInput);
        const rows = timeline.length
          ? await db.read
              .selectFrom('markers')
              .selectAll()
              .where('account_id', '=', currentUser(c).account.id)
              .where('timeline', 'in', timeline)
              .execute()
          : [];
        return c.json(
          Object.fromEntries(rows.map((r) => [r.timeline, { last_read_id: r.last_read_id, version: r.version, updated_at: r.updated_at }])),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/v1/markers',
      access: scoped('write:statuses'),
      async handler(c) {
        const { account } = currentUser(c);
        const input = readInput(c, SaveMarkersInput);
        const now = isoAt(clock);
        await db.transaction(async (tx) => {
          for (const timeline of ['home', 'notifications'] as const) {
            const value = input[timeline];
            if (!value) continue;
            await tx
              .insertInto('markers')
              .values({ account_id: account.id, timeline, last_read_id: value.last_read_id, version: 1, updated_at: now })
              .onConflict((oc) =>
                oc
                  .columns(['account_id', 'timeline'])
                  .doUpdateSet((eb) => ({ last_read_id: value.last_read_id, updated_at: now, version: eb('markers.version', '+', 1) })),
              )
              .execute();
          }
        });
        const rows = await db.read.selectFrom('markers').selectAll().where('account_id', '=', account.id).execute();
        return c.json(
          Object.fromEntries(rows.map((r) => [r.timeline, { last_read_id: r.last_read_id, version: r.version, updated_at: r.updated_at }])),
        );
      },
    },
  ];
}
