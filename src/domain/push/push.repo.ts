import type { Selectable } from 'kysely';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { PushSubscriptionsTable } from '../../storage/db/schema.ts';

/** A device's Web Push subscription, tied to the token that made it. */
export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;

/** What a push of one notification tells: its kind, its sender, the recipient's language and the post's words. */
export function notificationToPush(db: DbReader, notificationId: string) {
  return db
    .selectFrom('notifications')
    .innerJoin('accounts as sender', 'sender.id', 'notifications.from_account_id')
    .innerJoin('users', 'users.account_id', 'notifications.account_id')
    .leftJoin('statuses', 'statuses.id', 'notifications.status_id')
    .select([
      'notifications.id',
      'notifications.type',
      'notifications.account_id as recipient',
      'sender.id as senderId',
      'sender.display_name',
      'sender.username',
      'sender.avatar_key',
      'users.locale',
      'statuses.content',
      'statuses.spoiler_text',
    ])
    .where('notifications.id', '=', notificationId)
    .executeTakeFirst();
}

/** The push subscriptions of an account's devices. */
export function subscriptionsOf(db: DbReader, accountId: string): Promise<PushSubscriptionRow[]> {
  return db.selectFrom('push_subscriptions').selectAll().where('account_id', '=', accountId).execute();
}

/** Forgets a subscription its push service no longer knows (the device unsubscribed, or it expired). */
export async function forgetSubscription(db: Db, id: string): Promise<void> {
  await db.transaction((tx) => tx.deleteFrom('push_subscriptions').where('id', '=', id).execute());
}
