import type { Reject } from '@fedify/vocab';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account refused a local account's follow request, or removed it from its followers. */
export const onReject: InboxHandler<Reject> = async (deps, ctx, reject) => {
  const sender = await senderOf(deps, ctx, reject);
  const followUri = reject.objectId?.href;
  if (!sender || !followUri) return;
  const ended = await deps.services.db.transaction(async (tx) => {
    const ended = [
      ...(await tx
        .deleteFrom('follow_requests')
        .where('uri', '=', followUri)
        .where('target_account_id', '=', sender.id)
        .returning('account_id')
        .execute()),
      ...(await tx
        .deleteFrom('follows')
        .where('uri', '=', followUri)
        .where('target_account_id', '=', sender.id)
        .returning('account_id')
        .execute()),
    ].map((r) => r.account_id);
    await recountFollows(tx, [...ended, sender.id]);
    return ended;
  });
  if (ended.length) {
    deps.services.changes.emit({ kind: 'viewers', ids: ended });
    deps.services.changes.emit({ kind: 'accounts', ids: [...ended, sender.id] });
  }
};
