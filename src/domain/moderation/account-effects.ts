import type { AccountRow } from '../accounts/accounts.repo.ts';
import { recordActivity } from '../activity-queue.ts';
import { isLocal } from '../actor.ts';
import { deleteFollows } from '../graph/graph.repo.ts';
import { queueJob } from '../jobs.ts';
import type { Unit } from '../unit-of-work.ts';
import { localFollowsOf, revokeAccess, setAccountStanding, setDisabled } from './moderation.repo.ts';

/** What a moderator may do to an account, as Mastodon's admin API names it. */
export const ACCOUNT_ACTIONS = ['none', 'sensitive', 'disable', 'silence', 'suspend'] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** What undoes an action. */
export const UNDO_ACTIONS = ['unsensitive', 'enable', 'unsilence', 'unsuspend'] as const;
export type UndoAction = (typeof UNDO_ACTIONS)[number];

/**
 * Ends every follow and request between an account and this server's accounts, telling the other
 * servers: a Reject for what the account followed here, an Undo for what local accounts followed of it.
 */
export async function severFollows(unit: Unit, account: AccountRow): Promise<void> {
  for (const follow of await localFollowsOf(unit.tx, account.id)) {
    const [ended] = await deleteFollows(unit, ['follows', 'follow_requests'], follow.account_id, follow.target_account_id);
    if (!ended) continue;
    if (follow.account_id === account.id) {
      await recordActivity(
        unit,
        { domain: null },
        {
          type: 'follow-answered',
          accepted: false,
          accountId: follow.target_account_id,
          requesterId: account.id,
          followUri: ended.uri,
        },
      );
    } else {
      await recordActivity(
        unit,
        { domain: null },
        { type: 'unfollowed', accountId: follow.account_id, targetId: account.id, followUri: ended.uri },
      );
    }
  }
}

/** Applies an action's effect in its unit (shared by account actions and domain blocks). */
export async function applyAction(unit: Unit, target: AccountRow, type: AccountAction, origin: 'moderator' | 'domain'): Promise<void> {
  switch (type) {
    case 'none':
      return;
    case 'sensitive':
      return setAccountStanding(unit, [target.id], { sensitized_at: unit.now });
    case 'silence':
      return setAccountStanding(unit, [target.id], { silenced_at: unit.now, silence_origin: origin });
    case 'disable':
      await setDisabled(unit, target.id, unit.now);
      return revokeAccess(unit, target.id);
    case 'suspend':
      await setAccountStanding(unit, [target.id], { suspended_at: unit.now, suspension_origin: origin });
      if (isLocal(target)) {
        await revokeAccess(unit, target.id);
        // Other servers see the actor suspended (and, after the grace period, deleted).
        await recordActivity(unit, target, { type: 'profile-updated', accountId: target.id });
      } else {
        await severFollows(unit, target);
        // A server cut off loses its content here at once; one account keeps it for the grace period.
        if (origin === 'domain') await queueJob(unit, { kind: 'purge-account', accountId: target.id });
      }
      return;
  }
}

/** Undoes an action in its unit. */
export async function undoAction(unit: Unit, target: AccountRow, type: UndoAction): Promise<void> {
  switch (type) {
    case 'unsensitive':
      return setAccountStanding(unit, [target.id], { sensitized_at: null });
    case 'unsilence':
      return setAccountStanding(unit, [target.id], { silenced_at: null, silence_origin: null });
    case 'enable':
      return setDisabled(unit, target.id, null);
    case 'unsuspend':
      await setAccountStanding(unit, [target.id], { suspended_at: null, suspension_origin: null });
      if (isLocal(target)) await recordActivity(unit, target, { type: 'profile-updated', accountId: target.id });
      return;
  }
}
