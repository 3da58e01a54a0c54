import type { Follow } from '@fedify/vocab';
import { apply, localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account follows a local one: the same command as a follow from the API. It is a follow at once
 * (answered with an Accept) where the account is not locked, else a request.
 */
export const onFollow: InboxHandler<Follow> = async (deps, ctx, follow) => {
  const target = await localAccount(deps, follow.objectId);
  const sender = await senderOf(deps, ctx, follow);
  if (!target || !sender || !follow.id) return;
  await apply(deps, follow, () => deps.graph.follow(sender, target.id, { uri: follow.id!.href }));
};
