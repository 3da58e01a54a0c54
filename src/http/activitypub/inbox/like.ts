import type { EmojiReact, Like } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import type { AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import { notify } from '../../../domain/notifications/notify.ts';
import { canSee } from '../../../domain/statuses/visibility-policy.ts';
import { senderOf, type InboxDeps, type InboxHandler } from './inbox-deps.ts';

/** A remote account likes a local post (an emoji reaction counts as a like), if it may see the post. */
export const onLike: InboxHandler<Like | EmojiReact> = async (deps, ctx, like) => {
  const sender = await senderOf(deps, ctx, like);
  const target = like.objectId?.href;
  if (!sender || !target) return;
  const { db, clock, changes } = deps.services;
  const status = await db.read
    .selectFrom('statuses')
    .select(['id', 'account_id', 'thread_id'])
    .where('uri', '=', target)
    .where('domain', 'is', null)
    .where('reblog_of_id', 'is', null)
    .executeTakeFirst();
  if (!status || !(await canSee(db.read, sender.id, status.id))) return;
  const now = isoAt(clock);
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insertInto('favourites')
      .values({ id: uuid7(clock()), account_id: sender.id, status_id: status.id, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
      await notify(tx, {
        accountId: status.account_id,
        fromAccountId: sender.id,
        type: 'favourite',
        statusId: status.id,
        now,
        threadId: status.thread_id,
      });
  });
  changes.emit({ kind: 'statuses', ids: [status.id] });
};

/** Takes back a remote account's like of a post. */
export async function removeLike(deps: InboxDeps, sender: AccountRow, target: URL | null): Promise<void> {
  if (!target) return;
  const { db, changes } = deps.services;
  const status = await db.read.selectFrom('statuses').select('id').where('uri', '=', target.href).executeTakeFirst();
  if (!status) return;
  await db.transaction(async (tx) => {
    await tx.deleteFrom('favourites').where('account_id', '=', sender.id).where('status_id', '=', status.id).execute();
    await tx
      .deleteFrom('notifications')
      .where('from_account_id', '=', sender.id)
      .where('status_id', '=', status.id)
      .where('type', '=', 'favourite')
      .execute();
  });
  changes.emit({ kind: 'statuses', ids: [status.id] });
}
