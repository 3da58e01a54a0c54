import { PUBLIC_COLLECTION, type Announce } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import type { AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import { bumpStatusCount } from '../../../domain/accounts/account-counts.repo.ts';
import { notify } from '../../../domain/notifications/notify.ts';
import { fetchPost, sameOrigin, senderOf, type InboxDeps, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account reposts a post. A post this server does not know is read from its own server (an
 * embedded copy from the reposter's server is not believed), stored with its author, then reposted.
 */
export const onAnnounce: InboxHandler<Announce> = async (deps, ctx, announce) => {
  const sender = await senderOf(deps, ctx, announce);
  const objectId = announce.objectId;
  if (!sender || !objectId || !announce.id || !sameOrigin(announce.id, announce.actorId)) return;
  const { db, clock, changes } = deps.services;
  const originalId = await fetchPost(deps, ctx, objectId);
  const original = originalId
    ? await db.read
        .selectFrom('statuses')
        .select(['id', 'account_id', 'visibility', 'reblog_of_id'])
        .where('id', '=', originalId)
        .executeTakeFirst()
    : undefined;
  if (!original || original.reblog_of_id !== null || !['public', 'unlisted'].includes(original.visibility)) return;
  const isPublic = announce.toIds.some((u) => u.href === PUBLIC_COLLECTION.href);
  const now = isoAt(clock);
  const id = uuid7(clock());
  const inserted = await db.transaction(async (tx) => {
    const inserted = await tx
      .insertInto('statuses')
      .values({
        id,
        account_id: sender.id,
        uri: announce.id!.href,
        url: null,
        domain: sender.domain,
        reblog_of_id: original.id,
        visibility: isPublic ? 'public' : 'unlisted',
        created_at: now,
        updated_at: now,
        thread_id: null,
        sensitive: false,
      })
      // Known already (the same Announce again), or a second repost of the same post: one is kept.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await bumpStatusCount(tx, sender.id, 1, now);
    await notify(tx, { accountId: original.account_id, fromAccountId: sender.id, type: 'reblog', statusId: original.id, now });
    return true;
  });
  if (!inserted) return;
  changes.emit({ kind: 'status-posted', statusId: id, authorId: sender.id, tags: [] });
  changes.emit({ kind: 'statuses', ids: [original.id] });
};

/** Takes back a remote account's repost. */
export async function removeRepost(deps: InboxDeps, sender: AccountRow, announceId: URL): Promise<void> {
  const { db, changes } = deps.services;
  const removed = await db.transaction(async (tx) => {
    const removed = await tx
      .deleteFrom('statuses')
      .where('uri', '=', announceId.href)
      .where('account_id', '=', sender.id)
      .where('reblog_of_id', 'is not', null)
      .returning(['id', 'reblog_of_id'])
      .executeTakeFirst();
    if (!removed) return null;
    await bumpStatusCount(tx, sender.id, -1);
    await tx
      .deleteFrom('notifications')
      .where('from_account_id', '=', sender.id)
      .where('status_id', '=', removed.reblog_of_id)
      .where('type', '=', 'reblog')
      .execute();
    return removed;
  });
  if (removed) changes.emit({ kind: 'statuses', ids: [removed.id, removed.reblog_of_id!] });
}
