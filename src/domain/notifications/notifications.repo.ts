import type { Unit } from '../unit-of-work.ts';

/** Removes one of the account's notifications; returns whether it existed. */
export async function deleteNotification(unit: Unit, accountId: string, id: string): Promise<boolean> {
  const removed = await unit.tx.deleteFrom('notifications').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}

/** Removes all of the account's notifications. */
export async function deleteAllNotifications(unit: Unit, accountId: string): Promise<void> {
  await unit.tx.deleteFrom('notifications').where('account_id', '=', accountId).execute();
}

/** Where the account stopped reading a timeline (`home` or `notifications`); each save counts a version. */
export async function saveMarker(unit: Unit, accountId: string, timeline: 'home' | 'notifications', lastReadId: string): Promise<void> {
  await unit.tx
    .insertInto('markers')
    .values({ account_id: accountId, timeline, last_read_id: lastReadId, version: 1, updated_at: unit.now })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'timeline'])
        .doUpdateSet((eb) => ({ last_read_id: lastReadId, updated_at: unit.now, version: eb('markers.version', '+', 1) })),
    )
    .execute();
}
