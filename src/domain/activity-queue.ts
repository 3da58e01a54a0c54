import type { AccountRow } from './accounts/accounts.repo.ts';
import type { ActivityEvent } from './changes.ts';
import type { Unit } from './unit-of-work.ts';

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
    case 'quote-answered':
      return `status:${event.quotedStatusId}`;
    case 'profile-updated':
    case 'account-moved':
    case 'domain-moved':
    case 'account-deleted':
      return `account:${event.accountId}`;
    case 'reported':
    case 'poll-voted':
      return null;
  }
}

/**
 * Queues an activity event of `by` inside the command that made it happen: it is sent if and only if the
 * command commits, whichever process ran it (the command line too), once a worker runs. Only a local
 * account's doings are told to other servers: what a remote account did came from its own server and is
 * never echoed back.
 */
export async function recordActivity(unit: Unit, by: Pick<AccountRow, 'domain'> | null, event: ActivityEvent): Promise<void> {
  if (by !== null && by.domain !== null) return;
  await unit.enqueue(ACTIVITY_EVENTS_CHANNEL, { event }, activityOrderingKey(event));
}
