import type { Actor } from '../actor.ts';
import { NotFound } from '../errors.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { deleteAllNotifications, deleteNotification, saveMarker } from './notifications.repo.ts';
import { policyOf, type PolicyRow } from './policy.ts';

/** What a member does with its notifications and read markers. */
export function createNotificationService(deps: { run: RunCommand }) {
  const { run } = deps;
  const answerRequests = (actor: Actor, ids: readonly string[], accept: boolean) =>
    run(async (unit) => {
      if (!ids.length) return;
      const me = actor.account.id;
      const requests = await unit.tx
        .selectFrom('notification_requests')
        .select(['id', 'from_account_id'])
        .where('account_id', '=', me)
        .where('id', 'in', [...ids])
        .execute();
      for (const request of requests) {
        const held = { account: me, from: request.from_account_id };
        if (accept) {
          await unit.tx
            .updateTable('notifications')
            .set({ filtered: false })
            .where('account_id', '=', held.account)
            .where('from_account_id', '=', held.from)
            .where('filtered', '=', true)
            .execute();
          await unit.tx
            .insertInto('notification_permissions')
            .values({ account_id: me, from_account_id: request.from_account_id, created_at: unit.now })
            .onConflict((oc) => oc.doNothing())
            .execute();
        } else {
          await unit.tx
            .deleteFrom('notifications')
            .where('account_id', '=', held.account)
            .where('from_account_id', '=', held.from)
            .where('filtered', '=', true)
            .execute();
        }
        await unit.tx.deleteFrom('notification_requests').where('id', '=', request.id).execute();
      }
    });
  return {
    /** Dismisses one of the actor's notifications. */
    async dismiss(actor: Actor, id: string): Promise<void> {
      if (!(await run((unit) => deleteNotification(unit, actor.account.id, id)))) throw new NotFound();
    },

    /** Dismisses some of the actor's notifications (a group of them); those not its own are passed over. */
    async dismissAll(actor: Actor, ids: readonly string[]): Promise<void> {
      await run(async (unit) => {
        for (const id of ids) await deleteNotification(unit, actor.account.id, id);
      });
    },

    /** Changes the actor's notification policy (the fields given). */
    async updatePolicy(actor: Actor, changes: Partial<PolicyRow>): Promise<void> {
      await run(async (unit) => {
        const current = await policyOf(unit.tx, actor.account.id);
        const values = { ...current, ...changes, updated_at: unit.now };
        await unit.tx
          .insertInto('notification_policies')
          .values({ account_id: actor.account.id, ...values })
          .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
          .execute();
      });
    },

    /**
     * Accepts notification requests: their notifications join the others, and their senders are let
     * through from now on. Requests that are not the actor's are passed over.
     */
    async acceptRequests(actor: Actor, ids: readonly string[]): Promise<void> {
      await answerRequests(actor, ids, true);
    },

    /** Dismisses notification requests with the notifications they held. */
    async dismissRequests(actor: Actor, ids: readonly string[]): Promise<void> {
      await answerRequests(actor, ids, false);
    },

    /** Dismisses all of the actor's notifications. */
    async clear(actor: Actor): Promise<void> {
      await run((unit) => deleteAllNotifications(unit, actor.account.id));
    },

    /** Saves where the actor stopped reading its home timeline and its notifications. */
    async saveMarkers(
      actor: Actor,
      markers: { readonly home?: string | undefined; readonly notifications?: string | undefined },
    ): Promise<void> {
      await run(async (unit) => {
        for (const timeline of ['home', 'notifications'] as const) {
          const lastReadId = markers[timeline];
          if (lastReadId) await saveMarker(unit, actor.account.id, timeline, lastReadId);
        }
      });
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
