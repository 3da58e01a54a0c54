import type { Accept } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account accepted a local account's follow request: the request becomes a follow. */
export const onAccept: InboxHandler<Accept> = async (deps, ctx, accept) => {
  const sender = await senderOf(deps, ctx, accept);
  const followUri = accept.objectId?.href;
  if (!sender || !followUri) return;
  const { db, clock } = deps.services;
  // Only the account that was asked can accept, and only a request that is still waiting.
  const requester = await db.transaction(async (tx) => {
    const request = await tx.deleteFrom('follow_requests').where('uri', '=', followUri).where('target_account_id', '=', sender.id).returningAll().executeTakeFirst();
    if (!request) return null;
    await tx
      .insertInto('follows')
      .values({ ...request, show_reblogs: toBool(request.show_reblogs), notify: toBool(request.notify), id: uuid7(clock()), created_at: isoAt(clock) })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recountFollows(tx, [request.account_id, sender.id]);
    return request.account_id;
  });
  if (requester) {
    deps.services.changes.emit({ kind: 'viewers', ids: [requester] });
    deps.services.changes.emit({ kind: 'accounts', ids: [requester, sender.id] });
  }
};
