import type { Actor } from '../actor.ts';
import { NotFound } from '../errors.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { deleteAllNotifications, deleteNotification, saveMarker } from './notifications.repo.ts';

/** What a member does with its notifications and read markers. */
export function createNotificationService(deps: { run: RunCommand }) {
  const { run } = deps;
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
