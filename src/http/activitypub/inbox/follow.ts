import { Accept, type Follow } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { notify } from '../../../domain/notifications/notify.ts';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';
import { blockedEitherWay } from '../../../domain/graph/graph.service.ts';

/** A remote account follows a local one: at once (and Accept) if it is not locked, else as a request. */
export const onFollow: InboxHandler<Follow> = async (deps, ctx, follow) => {
  const target = await localAccount(deps, follow.objectId);
  const sender = await senderOf(deps, ctx, follow);
  if (!target || !sender || !follow.id || target.suspended_at) return;
  const { db, clock } = deps.services;
  const blocked = await blockedEitherWay(db.read, target.id, sender.id);
  if (blocked) return;
  const locked = toBool(target.locked);
  const now = isoAt(clock);
  const already = await db.read
    .selectFrom('follows')
    .select('id')
    .where('account_id', '=', sender.id)
    .where('target_account_id', '=', target.id)
    .executeTakeFirst();
  await db.transaction(async (tx) => {
    if (already) return;
    const table = locked ? 'follow_requests' : 'follows';
    const inserted = await tx
      .insertInto(table)
      .values({ id: uuid7(clock()), account_id: sender.id, target_account_id: target.id, created_at: now, uri: follow.id!.href })
      .onConflict((oc) => oc.columns(['account_id', 'target_account_id'] as never).doUpdateSet({ uri: follow.id!.href }))
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
      await notify(tx, { accountId: target.id, fromAccountId: sender.id, type: locked ? 'follow_request' : 'follow', now });
    await recountFollows(tx, [sender.id, target.id]);
  });
  deps.services.changes.emit({ kind: 'accounts', ids: [sender.id, target.id] });
  deps.services.changes.emit({ kind: 'viewers', ids: [sender.id] });
  if (locked && !already) return;
  await ctx.sendActivity(
    { identifier: target.username },
    { id: new URL(sender.uri), inboxId: new URL(sender.inbox_url!) },
    new Accept({ id: new URL(`${target.uri}#accepts/${uuid7(clock())}`), actor: new URL(target.uri), object: follow }),
  );
};
