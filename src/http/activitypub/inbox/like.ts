import type { EmojiReact, Like } from '@fedify/vocab';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { apply, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account likes a local post (an emoji reaction counts as a like): the API's favourite command. */
export const onLike: InboxHandler<Like | EmojiReact> = async (deps, ctx, like) => {
  const sender = await senderOf(deps, ctx, like);
  const status = like.objectId ? await findStatusByUri(deps.read, like.objectId.href) : undefined;
  if (!sender || status?.domain !== null) return;
  await apply(deps, like, () => deps.statuses.favourite(sender, status.id));
};
