import type { Selectable } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { randomToken } from '../../lib/secure-token.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader, DbWriter } from '../../storage/db/database.ts';
import type { InvitesTable } from '../../storage/db/schema.ts';

/** An invitation link: its code, how often it may be used and until when. */
export type InviteRow = Selectable<InvitesTable>;

/** Whether an invitation can still be used at `now` (not expired, not used up). */
export function isUsable(invite: InviteRow, now: string): boolean {
  return !(invite.expires_at && invite.expires_at <= now) && !(invite.max_uses !== null && invite.uses >= invite.max_uses);
}

/** Makes an invitation; `maxUses` and `expiresInMs` null for no limit. Returns its code. */
export async function createInvite(db: Db, clock: Clock, options: { maxUses: number | null; expiresInMs: number | null }): Promise<string> {
  const code = randomToken(12);
  await db.transaction((tx) =>
    tx
      .insertInto('invites')
      .values({
        id: uuid7(clock()),
        code,
        max_uses: options.maxUses,
        expires_at: options.expiresInMs === null ? null : isoAt(clock, options.expiresInMs),
        created_at: isoAt(clock),
      })
      .execute(),
  );
  return code;
}

/** The invitation with this code, if it can still be used. */
export async function usableInvite(db: DbReader, code: string, now: string): Promise<InviteRow | undefined> {
  const invite = await db.selectFrom('invites').selectAll().where('code', '=', code).executeTakeFirst();
  return invite && isUsable(invite, now) ? invite : undefined;
}

/** The invitations that can still be used, newest first. */
export async function usableInvites(db: DbReader, now: string): Promise<InviteRow[]> {
  const rows = await db.selectFrom('invites').selectAll().orderBy('created_at', 'desc').execute();
  return rows.filter((r) => isUsable(r, now));
}

/** Counts one use of an invitation (inside the sign-up's transaction). */
export async function countInviteUse(tx: DbWriter, id: string): Promise<void> {
  await tx
    .updateTable('invites')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Removes the invitations that expired or were used up by `now`; returns how many. */
export async function deleteSpentInvites(tx: DbWriter, now: string): Promise<number> {
  const result = await tx
    .deleteFrom('invites')
    .where((w) =>
      w.or([
        w.and([w('expires_at', 'is not', null), w('expires_at', '<=', now)]),
        w.and([w('max_uses', 'is not', null), w('uses', '>=', w.ref('max_uses') as never)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
