import { sql } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { DbWriter } from '../../storage/db/database.ts';
import { enqueueInTransaction } from '../../storage/queue/db-message-queue.ts';

/** The notification types Mastodon clients know, as far as Stoa produces them. */
export type NotificationType = 'mention' | 'status' | 'reblog' | 'follow' | 'follow_request' | 'favourite' | 'update' | 'quote' | 'move';

/**
 * Records a notification for a local account, unless it would be unwanted: nobody is notified of their own
 * actions, nor by an account they block or mute (with notifications), nor about a conversation they muted.
 */
export async function notify(
  tx: DbWriter,
  input: {
    accountId: string;
    fromAccountId: string;
    type: NotificationType;
    statusId?: string | null;
    now: string;
    threadId?: string | null;
  },
): Promise<void> {
  if (input.accountId === input.fromAccountId) return;
  const recipient = await tx.selectFrom('users').select('account_id').where('account_id', '=', input.accountId).executeTakeFirst();
  if (!recipient) return;
  const unwanted = await tx
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('blocks')
            .select(sql.lit(1).as('x'))
            .where((w) =>
              w.or([
                w.and([w('account_id', '=', input.accountId), w('target_account_id', '=', input.fromAccountId)]),
                w.and([w('account_id', '=', input.fromAccountId), w('target_account_id', '=', input.accountId)]),
              ]),
            ),
        )
        .as('blocked'),
      eb
        .exists(
          eb
            .selectFrom('mutes')
            .select(sql.lit(1).as('x'))
            .where('account_id', '=', input.accountId)
            .where('target_account_id', '=', input.fromAccountId)
            .where('hide_notifications', '=', true)
            .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', input.now)])),
        )
        .as('muted'),
      eb
        .exists(
          eb
            .selectFrom('conversation_mutes')
            .select(sql.lit(1).as('x'))
            .where('account_id', '=', input.accountId)
            .where('thread_id', '=', input.threadId ?? ''),
        )
        .as('threadMuted'),
    ])
    .executeTakeFirstOrThrow();
  if (truthy(unwanted.blocked) || truthy(unwanted.muted) || truthy(unwanted.threadMuted)) return;
  const id = uuid7(Date.parse(input.now));
  await tx
    .insertInto('notifications')
    .values({
      id,
      account_id: input.accountId,
      from_account_id: input.fromAccountId,
      type: input.type,
      status_id: input.statusId ?? null,
      created_at: input.now,
    })
    .execute();
  // Devices subscribed to Web Push hear of it once this commits (a worker sends it).
  const subscribed = await tx
    .selectFrom('push_subscriptions')
    .select('id')
    .where('account_id', '=', input.accountId)
    .limit(1)
    .executeTakeFirst();
  if (subscribed) await enqueueInTransaction(tx, { channel: PUSH_CHANNEL, payload: { notificationId: id }, now: input.now });
}

/** The queue channel of Web Push deliveries: one message per notification. */
export const PUSH_CHANNEL = 'web-push';

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
