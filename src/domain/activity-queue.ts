import type { DbWriter } from '../storage/db/database.ts';
import { enqueueInTransaction } from '../storage/queue/db-message-queue.ts';
import type { ActivityEvent } from './changes.ts';

/** The queue (a channel of `queue_messages`) that carries activity events to the workers. */
export const ACTIVITY_EVENTS_CHANNEL = 'activity-events';

/**
 * What an event must stay in order with: the events about one status, one like, one pair of accounts
 * (follow, answer, block) or one account's profile are turned into activities in the order they
 * happened; the rest in parallel.
 */
export function activityOrderingKey(event: ActivityEvent): string | null {
  switch (event.type) {
    case 'status-created':
    case 'status-updated':
    case 'status-deleted':
      return `status:${event.statusId}`;
    case 'favourited':
    case 'unfavourited':
      return `like:${event.accountId}:${event.statusId}`;
    case 'follow-requested':
    case 'unfollowed':
    case 'blocked':
    case 'unblocked':
      return `pair:${[event.accountId, event.targetId].sort().join(':')}`;
    case 'follow-answered':
      return `pair:${[event.accountId, event.requesterId].sort().join(':')}`;
    case 'profile-updated':
    case 'account-moved':
    case 'account-deleted':
      return `account:${event.accountId}`;
    case 'reported':
      return null;
  }
}

/**
 * Queues an activity event inside the transaction that made it happen: it is sent if and only if the
 * change commits, whichever process made it (the command line too), once a worker runs.
 */
export async function recordActivity(tx: DbWriter, event: ActivityEvent, now: string): Promise<void> {
  await enqueueInTransaction(tx, { channel: ACTIVITY_EVENTS_CHANNEL, payload: { event }, orderingKey: activityOrderingKey(event), now });
}
