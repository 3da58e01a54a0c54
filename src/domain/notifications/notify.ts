import { sql } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Unit } from '../unit-of-work.ts';
import type { NotificationType } from './notification-types.ts';
import { holdInRequest, policyDecision } from './policy.ts';

export type { NotificationType };

/** The queue channel of Web Push deliveries: one message per notification. */
export const PUSH_CHANNEL = 'web-push';

/** What a notification says: who is told, by whom, of what. */
export interface NotificationInput {
  readonly accountId: string;
  readonly fromAccountId: string;
  readonly type: NotificationType;
  readonly statusId?: string | null;
  /** The thread of the status, for a muted conversation. */
  readonly threadId?: string | null;
  /** Told even to its own author (a poll's end tells its author too). */
  readonly evenToSelf?: boolean;
}

/**
 * Records a notification for a local account, unless it would be unwanted: nobody is notified of their own
 * actions, nor by an account they block or mute (with notifications), nor about a conversation they muted;
 * remote accounts are never notified here. Returns whether one was recorded.
 */
export async function notify(unit: Unit, input: NotificationInput): Promise<boolean> {
  if (input.accountId === input.fromAccountId && !input.evenToSelf) return false;
  const { tx, now } = unit;
  const wanted = await tx
    .selectFrom('users')
    .select((eb) => [
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
            .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)])),
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
      eb.exists(eb.selectFrom('push_subscriptions').select(sql.lit(1).as('x')).where('account_id', '=', input.accountId)).as('subscribed'),
    ])
    .where('account_id', '=', input.accountId)
    .executeTakeFirst();
  if (!wanted || truthy(wanted.blocked) || truthy(wanted.muted) || truthy(wanted.threadMuted)) return false;
  // The member's notification policy: dropped, held back in the sender's request (no push), or let in.
  const decision = await policyDecision(tx, input, now);
  if (decision === 'drop') return false;
  if (decision === 'filter') {
    await insertNotification(unit, { ...input, filtered: true }, false);
    await holdInRequest(unit, input.accountId, input.fromAccountId, input.statusId ?? null);
    return true;
  }
  await insertNotification(unit, input, truthy(wanted.subscribed));
  return true;
}

/**
 * Records what the server itself tells a local account: a strike (`moderation_warning`, about the account
 * itself), or, for moderators, a new sign-up or report. No block or mute silences these.
 */
export async function notifyOfModeration(
  unit: Unit,
  input: {
    readonly accountId: string;
    readonly fromAccountId: string;
    readonly type: 'moderation_warning' | 'admin.sign_up' | 'admin.report';
    readonly accountWarningId?: string;
    readonly reportId?: string;
  },
): Promise<void> {
  const subscribed = await unit.tx
    .selectFrom('push_subscriptions')
    .select('id')
    .where('account_id', '=', input.accountId)
    .executeTakeFirst();
  await insertNotification(unit, input, subscribed !== undefined);
}

async function insertNotification(
  unit: Unit,
  input: Omit<NotificationInput, 'evenToSelf'> & {
    readonly accountWarningId?: string;
    readonly reportId?: string;
    readonly filtered?: boolean;
  },
  pushed: boolean,
): Promise<void> {
  const id = uuid7(Date.parse(unit.now));
  await unit.tx
    .insertInto('notifications')
    .values({
      id,
      account_id: input.accountId,
      from_account_id: input.fromAccountId,
      type: input.type,
      status_id: input.statusId ?? null,
      account_warning_id: input.accountWarningId ?? null,
      report_id: input.reportId ?? null,
      filtered: input.filtered ?? false,
      created_at: unit.now,
    })
    .execute();
  // Devices subscribed to Web Push hear of it once this commits (a worker sends it).
  if (pushed) await unit.enqueue(PUSH_CHANNEL, { notificationId: id });
}

/** Takes back the notifications an undone action made (a like, a repost, a follow or its request). */
export async function retractNotifications(
  unit: Unit,
  where: {
    readonly fromAccountId: string;
    readonly types: readonly NotificationType[];
    readonly statusId?: string;
    readonly accountIds?: readonly string[];
  },
): Promise<void> {
  let query = unit.tx
    .deleteFrom('notifications')
    .where('from_account_id', '=', where.fromAccountId)
    .where('type', 'in', [...where.types]);
  if (where.statusId !== undefined) query = query.where('status_id', '=', where.statusId);
  if (where.accountIds !== undefined) {
    if (where.accountIds.length === 0) return;
    query = query.where('account_id', 'in', [...where.accountIds]);
  }
  await query.execute();
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
