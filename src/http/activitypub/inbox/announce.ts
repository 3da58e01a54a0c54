import { PUBLIC_COLLECTION, type Announce } from '@fedify/vocab';
import { apply, fetchPost, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account reposts a post: the API's repost command. A post this server does not know is read
 * from its own server first (an embedded copy from the reposter's server is not believed).
 */
export const onAnnounce: InboxHandler<Announce> = async (deps, ctx, announce) => {
  const sender = await senderOf(deps, ctx, announce);
  const objectId = announce.objectId;
  if (!sender || !objectId || !announce.id || !sameOrigin(announce.id, announce.actorId)) return;
  const originalId = await fetchPost(deps, ctx, objectId);
  if (!originalId) return;
  const visibility = announce.toIds.some((u) => u.href === PUBLIC_COLLECTION.href) ? 'public' : 'unlisted';
  await apply(deps, announce, () => deps.statuses.reblog(sender, originalId, { remote: { uri: announce.id!.href, visibility } }));
};
