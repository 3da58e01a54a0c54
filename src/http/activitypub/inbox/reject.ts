import type { Reject } from '@fedify/vocab';
import { findFollowByUri } from '../../../domain/graph/graph.repo.ts';
import { apply, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account refused a local account's follow request (the API's reject command), or removed it
 * from its followers (the API's "remove from followers").
 */
export const onReject: InboxHandler<Reject> = async (deps, ctx, reject) => {
  const sender = await senderOf(deps, ctx, reject);
  const follow = reject.objectId ? await findFollowByUri(deps.read, reject.objectId.href) : undefined;
  if (!sender || !follow || follow.target_account_id !== sender.account.id) return;
  await apply(deps, reject, () =>
    follow.table === 'follow_requests'
      ? deps.graph.answerRequest(sender, follow.account_id, false)
      : deps.graph.removeFromFollowers(sender, follow.account_id),
  );
};
