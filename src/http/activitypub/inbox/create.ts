import { Article, Note, Question, type Create } from '@fedify/vocab';
import type { RemotePost } from '../../../federation/remote-store.ts';
import { sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/** Whether an object is a post Stoa stores (a note, an article or a poll). */
export function isPost(object: unknown): object is RemotePost {
  return object instanceof Note || object instanceof Article || object instanceof Question;
}

/**
 * A remote account posts. The post must be its own: attributed to the actor and with an id on the
 * actor's server. It is stored when someone here can see it: a follower of the author, or an account it
 * mentions or addresses.
 */
export const onCreate: InboxHandler<Create> = async (deps, ctx, create) => {
  const sender = await senderOf(deps, ctx, create);
  if (!sender) return;
  const post = await create.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'throw' });
  if (!isPost(post) || !post.id || !sameOrigin(post.id, create.actorId) || post.attributionId?.href !== sender.uri) return;
  await deps.store.savePost(post, sender);
};
