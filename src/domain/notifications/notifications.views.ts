import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import type { Database, NotificationsTable } from '../../storage/db/schema.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import { visibleTo } from '../statuses/visibility-policy.ts';
import { groupKeyOf, parseGroupKey } from './grouping.ts';

export type NotificationRow = Selectable<NotificationsTable>;

/** Which notifications a listing shows. */
export interface NotificationFilter {
  readonly types?: readonly string[] | undefined;
  readonly excludeTypes?: readonly string[] | undefined;
  readonly fromAccountId?: string | undefined;
  /** Include those the member's policy held back (to read a sender's request). */
  readonly includeFiltered?: boolean | undefined;
}

/**
 * Notifications the recipient may still see: from accounts not suspended, blocked or muted, about visible
 * statuses, and (unless asked) not held back by the recipient's policy.
 */
function visibleNotifications(db: DbReader, viewerId: string, now: string, includeFiltered = false) {
  return db
    .selectFrom('notifications')
    .selectAll('notifications')
    .where('notifications.account_id', '=', viewerId)
    .$if(!includeFiltered, (q) => q.where('notifications.filtered', '=', false))
    .where(sql<SqlBool>`not exists (select 1 from accounts a where a.id = notifications.from_account_id and a.suspended_at is not null)`)
    .where(
      sql<SqlBool>`not exists (select 1 from blocks b where b.account_id = ${viewerId} and b.target_account_id = notifications.from_account_id)`,
    )
    .where(
      sql<SqlBool>`not exists (select 1 from mutes m where m.account_id = ${viewerId} and m.target_account_id = notifications.from_account_id and m.hide_notifications = ${true} and (m.expires_at is null or m.expires_at > ${now}))`,
    )
    .where(
      sql<SqlBool>`(notifications.status_id is null or exists (select 1 from statuses where statuses.id = notifications.status_id and ${visibleTo(viewerId)}))`,
    );
}

/** A page of the viewer's notifications, newest first. */
export function notificationsPage(
  db: DbReader,
  viewerId: string,
  now: string,
  filter: NotificationFilter,
  window: Window,
): Promise<NotificationRow[]> {
  let query = visibleNotifications(db, viewerId, now, filter.includeFiltered);
  if (filter.types?.length) query = query.where('notifications.type', 'in', [...filter.types]);
  if (filter.excludeTypes?.length) query = query.where('notifications.type', 'not in', [...filter.excludeTypes]);
  if (filter.fromAccountId) query = query.where('notifications.from_account_id', '=', filter.fromAccountId);
  return readWindow(query, 'notifications.id', window);
}

/** One of the viewer's notifications, if it may still see it (one held back too: a request shows it). */
export function findNotification(db: DbReader, viewerId: string, now: string, id: string): Promise<NotificationRow | undefined> {
  return visibleNotifications(db, viewerId, now, true).where('notifications.id', '=', id).executeTakeFirst();
}

/** The member's notification requests (one per sender held back), the most recently moved up first. */
export function notificationRequestsPage(db: DbReader, viewerId: string, window: Window) {
  return readWindow(
    db
      .selectFrom('notification_requests')
      .selectAll()
      .where('account_id', '=', viewerId)
      .where(
        sql<SqlBool>`not exists (select 1 from accounts a where a.id = notification_requests.from_account_id and a.suspended_at is not null)`,
      ),
    'notification_requests.id',
    window,
  );
}

export type NotificationRequestRow = Selectable<Database['notification_requests']>;

/** One of the member's notification requests. */
export function findNotificationRequest(db: DbReader, viewerId: string, id: string): Promise<NotificationRequestRow | undefined> {
  return db.selectFrom('notification_requests').selectAll().where('account_id', '=', viewerId).where('id', '=', id).executeTakeFirst();
}

/** How many requests wait for the member, and how many notifications they hold. */
export async function heldSummary(db: DbReader, viewerId: string): Promise<{ requests: number; notifications: number }> {
  const requests = await db
    .selectFrom('notification_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', viewerId)
    .executeTakeFirstOrThrow();
  const held = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', viewerId)
    .where('filtered', '=', true)
    .executeTakeFirstOrThrow();
  return { requests: Number(requests.n), notifications: Number(held.n) };
}

/** How many notifications each sender's request holds, by sender. */
export async function heldCounts(db: DbReader, viewerId: string, fromIds: readonly string[]): Promise<Map<string, number>> {
  if (!fromIds.length) return new Map();
  const rows = await db
    .selectFrom('notifications')
    .select((eb) => ['from_account_id', eb.fn.countAll<number>().as('n')])
    .where('account_id', '=', viewerId)
    .where('filtered', '=', true)
    .where('from_account_id', 'in', [...fromIds])
    .groupBy('from_account_id')
    .execute();
  return new Map(rows.map((r) => [r.from_account_id, Number(r.n)]));
}

/** How many notifications the viewer has not read (after its marker), counted up to 1,000. */
export async function unreadNotifications(db: DbReader, viewerId: string, now: string): Promise<number> {
  return (await unreadNotificationRows(db, viewerId, now, {})).length;
}

/** The notifications the viewer has not read (after its marker), the newest 1,000 at most. */
export async function unreadNotificationRows(
  db: DbReader,
  viewerId: string,
  now: string,
  filter: NotificationFilter,
): Promise<NotificationRow[]> {
  const marker = await db
    .selectFrom('markers')
    .select('last_read_id')
    .where('account_id', '=', viewerId)
    .where('timeline', '=', 'notifications')
    .executeTakeFirst();
  let query = visibleNotifications(db, viewerId, now);
  if (marker) query = query.where('notifications.id', '>', marker.last_read_id);
  if (filter.types?.length) query = query.where('notifications.type', 'in', [...filter.types]);
  if (filter.excludeTypes?.length) query = query.where('notifications.type', 'not in', [...filter.excludeTypes]);
  if (filter.fromAccountId) query = query.where('notifications.from_account_id', '=', filter.fromAccountId);
  return query.orderBy('notifications.id', 'desc').limit(1000).execute();
}

/** The viewer's notifications in one group (by Mastodon's `group_key`), newest first, at most 1,000. */
export async function notificationsOfGroup(db: DbReader, viewerId: string, now: string, key: string): Promise<NotificationRow[]> {
  const group = parseGroupKey(key);
  if (!group) return [];
  let query = visibleNotifications(db, viewerId, now);
  if ('id' in group) query = query.where('notifications.id', '=', group.id);
  else {
    query = query
      .where('notifications.type', '=', group.type)
      .where('notifications.created_at', '>=', group.from)
      .where('notifications.created_at', '<', group.until);
    if (group.statusId) query = query.where('notifications.status_id', '=', group.statusId);
  }
  const rows = await query.orderBy('notifications.id', 'desc').limit(1000).execute();
  return rows.filter((r) => groupKeyOf(r) === key);
}

/** The viewer's read markers, by timeline. */
export async function markersOf(db: DbReader, accountId: string, timelines?: readonly string[]) {
  let query = db.selectFrom('markers').selectAll().where('account_id', '=', accountId);
  if (timelines) {
    if (!timelines.length) return [];
    query = query.where('timeline', 'in', [...timelines]);
  }
  return query.execute();
}
