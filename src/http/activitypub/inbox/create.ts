import type { Create } from '@fedify/vocab';
import { fetchPost, isPost, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

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
  // A quoted post this server does not know yet is read from its own server first, so the quote shows it.
  const quoted = post.quoteId ?? post.quoteUrl;
  if (quoted && /^https?:$/.test(quoted.protocol)) await fetchPost(deps, ctx, quoted);
  await deps.store.savePost(post, sender);
};
