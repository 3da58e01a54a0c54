import { sql, type Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { FollowsTable } from '../../storage/db/schema.ts';
import { recountFollows } from '../accounts/account-counts.repo.ts';
import { dropEndorsements } from '../discovery/profile-picks.ts';
import { dropFromLists } from '../lists/lists.ts';
import type { Unit } from '../unit-of-work.ts';

/** A follow, or a request to follow. */
export type FollowRow = Selectable<FollowsTable>;

/** A follow or a pending request: the table it is in. */
export type FollowTable = 'follows' | 'follow_requests';

/** Whether either of two accounts blocks the other. */
export async function blockedEitherWay(db: DbReader, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('blocks')
    .select('id')
    .where((w) =>
      w.or([
        w.and([w('account_id', '=', a), w('target_account_id', '=', b)]),
        w.and([w('account_id', '=', b), w('target_account_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether any local account follows `accountId`. */
export async function hasLocalFollower(db: DbReader, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .innerJoin('accounts', 'accounts.id', 'follows.account_id')
    .select('follows.id')
    .where('follows.target_account_id', '=', accountId)
    .where('accounts.domain', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** `accountId`'s follow of (or request to follow) `targetId`, if any. */
export function findFollow(db: DbReader, table: FollowTable, accountId: string, targetId: string): Promise<FollowRow | undefined> {
  return db.selectFrom(table).selectAll().where('account_id', '=', accountId).where('target_account_id', '=', targetId).executeTakeFirst();
}

/** A follow or request by the URI of its Follow activity, with the table it is in. */
export async function findFollowByUri(db: DbReader, uri: string): Promise<(FollowRow & { table: FollowTable }) | undefined> {
  for (const table of ['follow_requests', 'follows'] as const) {
    const row = await db.selectFrom(table).selectAll().where('uri', '=', uri).executeTakeFirst();
    if (row) return { ...row, table };
  }
  return undefined;
}

/** The local accounts that follow `accountId`, with the options of their follows. */
export function localFollowersOf(db: DbReader, accountId: string) {
  return db
    .selectFrom('follows')
    .innerJoin('accounts', 'accounts.id', 'follows.account_id')
    .selectAll('accounts')
    .select(['follows.show_reblogs', 'follows.notify'])
    .where('follows.target_account_id', '=', accountId)
    .where('accounts.domain', 'is', null)
    .where('accounts.suspended_at', 'is', null)
    .execute();
}

/**
 * Records a follow or a request; returns false when the pair already had one (nothing written). The
 * counts of both accounts are kept, and the follower's view changes.
 */
export async function insertFollow(
  unit: Unit,
  table: FollowTable,
  values: { accountId: string; targetId: string; showReblogs: boolean; notify: boolean; uri: string | null },
): Promise<boolean> {
  const inserted = await unit.tx
    .insertInto(table)
    .values({
      id: uuid7(unit.clock()),
      account_id: values.accountId,
      target_account_id: values.targetId,
      show_reblogs: values.showReblogs,
      notify: values.notify,
      uri: values.uri,
      by_remote_account: sql<boolean>`exists (select 1 from accounts where id = ${values.accountId} and domain is not null)`,
      created_at: unit.now,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  if (table === 'follows') await recountFollows(unit, [values.accountId, values.targetId]);
  unit.changed({ kind: 'viewers', ids: [values.accountId] });
  return true;
}

/** Changes the options of an existing follow or request (and the URI of its latest Follow). */
export async function updateFollow(
  unit: Unit,
  table: FollowTable,
  accountId: string,
  targetId: string,
  values: { showReblogs?: boolean | undefined; notify?: boolean | undefined; uri?: string | undefined },
): Promise<void> {
  const set = {
    ...(values.showReblogs !== undefined ? { show_reblogs: values.showReblogs } : {}),
    ...(values.notify !== undefined ? { notify: values.notify } : {}),
    ...(values.uri !== undefined ? { uri: values.uri } : {}),
  };
  if (!Object.keys(set).length) return;
  await unit.tx.updateTable(table).set(set).where('account_id', '=', accountId).where('target_account_id', '=', targetId).execute();
  unit.changed({ kind: 'viewers', ids: [accountId] });
}

/** Ends `accountId`'s follows of (and requests to) `targetId`; returns what ended. */
export async function deleteFollows(
  unit: Unit,
  tables: readonly FollowTable[],
  accountId: string,
  targetId: string,
): Promise<(FollowRow & { table: FollowTable })[]> {
  const ended: (FollowRow & { table: FollowTable })[] = [];
  for (const table of tables) {
    const rows = await unit.tx
      .deleteFrom(table)
      .where('account_id', '=', accountId)
      .where('target_account_id', '=', targetId)
      .returningAll()
      .execute();
    ended.push(...rows.map((r) => ({ ...r, table })));
  }
  if (ended.length) {
    await recountFollows(unit, [accountId, targetId]);
    unit.changed({ kind: 'viewers', ids: [accountId] });
  }
  // A follow that ends takes the account off the follower's lists (a request answered keeps them: an
  // accepted one becomes the follow, and the caller drops a refused one).
  if (tables.includes('follows') && ended.length) await followEnded(unit, accountId, [targetId]);
  return ended;
}

/** Ends the account's follows of every account on a server; returns the accounts it no longer follows. */
export async function deleteFollowsOfDomain(unit: Unit, accountId: string, domain: string): Promise<string[]> {
  const ended = await unit.tx
    .deleteFrom('follows')
    .where('account_id', '=', accountId)
    .where('target_account_id', 'in', (eb) => eb.selectFrom('accounts').select('id').where('domain', '=', domain))
    .returning('target_account_id')
    .execute();
  const targets = ended.map((f) => f.target_account_id);
  if (targets.length) await recountFollows(unit, [accountId, ...targets]);
  await followEnded(unit, accountId, targets);
  return targets;
}

/**
 * The owner's follows of these accounts ended, or (with `movedTo`) moved to another account: what only
 * stands with a follow (the accounts on the owner's lists, the accounts it endorses) ends or moves too.
 */
export async function followEnded(unit: Unit, ownerId: string, targetIds: readonly string[], movedTo?: string): Promise<void> {
  await dropFromLists(unit, ownerId, targetIds, movedTo);
  await dropEndorsements(unit, ownerId, targetIds, movedTo);
}

/** Records that `blockerId` blocks `targetId`: follows and requests end both ways. */
export async function insertBlock(unit: Unit, blockerId: string, targetId: string): Promise<void> {
  for (const [a, b] of [
    [blockerId, targetId],
    [targetId, blockerId],
  ] as const) {
    await deleteFollows(unit, ['follows', 'follow_requests'], a, b);
  }
  await unit.tx
    .insertInto('blocks')
    .values({ id: uuid7(unit.clock()), account_id: blockerId, target_account_id: targetId, created_at: unit.now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  unit.changed({ kind: 'viewers', ids: [blockerId, targetId] });
  unit.changed({ kind: 'accounts', ids: [blockerId, targetId] });
}

export async function deleteBlock(unit: Unit, blockerId: string, targetId: string): Promise<void> {
  await unit.tx.deleteFrom('blocks').where('account_id', '=', blockerId).where('target_account_id', '=', targetId).execute();
  unit.changed({ kind: 'viewers', ids: [blockerId, targetId] });
}

/** Mutes an account (until `expiresAt`, if given), and its notifications unless told not to. */
export async function upsertMute(
  unit: Unit,
  accountId: string,
  targetId: string,
  values: { hideNotifications: boolean; expiresAt: string | null },
): Promise<void> {
  const set = { hide_notifications: values.hideNotifications, expires_at: values.expiresAt };
  await unit.tx
    .insertInto('mutes')
    .values({ id: uuid7(unit.clock()), account_id: accountId, target_account_id: targetId, ...set, created_at: unit.now })
    .onConflict((oc) => oc.columns(['account_id', 'target_account_id']).doUpdateSet(set))
    .execute();
  unit.changed({ kind: 'viewers', ids: [accountId] });
}

export async function deleteMute(unit: Unit, accountId: string, targetId: string): Promise<void> {
  await unit.tx.deleteFrom('mutes').where('account_id', '=', accountId).where('target_account_id', '=', targetId).execute();
  unit.changed({ kind: 'viewers', ids: [accountId] });
}

/** Ends the temporary mutes that ran out by the unit's time (the cleanup job); returns how many. */
export async function endExpiredMutes(unit: Unit): Promise<number> {
  const ended = await unit.tx
    .deleteFrom('mutes')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', unit.now)
    .returning('account_id')
    .execute();
  if (ended.length) unit.changed({ kind: 'viewers', ids: [...new Set(ended.map((m) => m.account_id))] });
  return ended.length;
}

/** Hides (or shows again) a whole server for an account. */
export async function setDomainBlock(unit: Unit, accountId: string, domain: string, on: boolean): Promise<void> {
  if (on) {
    await unit.tx
      .insertInto('account_domain_blocks')
      .values({ account_id: accountId, domain, created_at: unit.now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  } else {
    await unit.tx.deleteFrom('account_domain_blocks').where('account_id', '=', accountId).where('domain', '=', domain).execute();
  }
  unit.changed({ kind: 'viewers', ids: [accountId] });
}

/** Follows (or stops following) a hashtag. */
export async function setTagFollow(unit: Unit, accountId: string, tagId: string, on: boolean): Promise<void> {
  if (on) {
    await unit.tx
      .insertInto('tag_follows')
      .values({ account_id: accountId, tag_id: tagId, created_at: unit.now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  } else {
    await unit.tx.deleteFrom('tag_follows').where('account_id', '=', accountId).where('tag_id', '=', tagId).execute();
  }
  unit.changed({ kind: 'viewers', ids: [accountId] });
}
