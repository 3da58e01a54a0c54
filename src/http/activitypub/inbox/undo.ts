import { Announce, Block, EmojiReact, Follow, Like, type Undo } from '@fedify/vocab';
import { findFollowByUri } from '../../../domain/graph/graph.repo.ts';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { apply, localAccount, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account takes back a follow, a like, a repost or a block of its own: the API's unfollow,
 * unfavourite, unreblog and unblock commands.
 */
export const onUndo: InboxHandler<Undo> = async (deps, ctx, undo) => {
  const sender = await senderOf(deps, ctx, undo);
  if (!sender) return;
  // Only the actor's own activity can be undone; an embedded one from elsewhere is not believed.
  const object = await undo.getObject({ documentLoader: ctx.documentLoader, crossOrigin: 'ignore' });
  if (!object || !sameOrigin(object.id, undo.actorId) || (object as { actorId?: URL | null }).actorId?.href !== sender.account.uri) return;
  if (object instanceof Follow) {
    const follow = object.id ? await findFollowByUri(deps.read, object.id.href) : undefined;
    const target = follow?.account_id === sender.account.id ? follow.target_account_id : (await localAccount(deps, object.objectId))?.id;
    if (target) await apply(deps, undo, () => deps.graph.unfollow(sender, target));
  } else if (object instanceof Like || object instanceof EmojiReact) {
    const status = object.objectId ? await findStatusByUri(deps.read, object.objectId.href) : undefined;
    if (status) await apply(deps, undo, () => deps.statuses.unfavourite(sender, status.id));
  } else if (object instanceof Announce) {
    const repost = object.id ? await findStatusByUri(deps.read, object.id.href) : undefined;
    if (repost?.account_id === sender.account.id && repost.reblog_of_id) {
      await apply(deps, undo, () => deps.statuses.unreblog(sender, repost.reblog_of_id!, repost.uri));
    }
  } else if (object instanceof Block) {
    const target = await localAccount(deps, object.objectId);
    if (target) await apply(deps, undo, () => deps.graph.unblock(sender, target.id));
  }
};
