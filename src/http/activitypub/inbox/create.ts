import { Note, type Create } from '@fedify/vocab';
import { localPollVote } from '../../../domain/polls/polls.ts';
import { postOf } from '../../../federation/remote-objects.ts';
import { apply, fetchPost, isPost, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account posts: the API's posting command. The post must be its own: attributed to the actor
 * and with an id on the actor's server. The domain keeps it only when it concerns someone here (a
 * follower of the author, an account it mentions or addresses, a reply to what someone here wrote or
 * follows); anything else any server could push into the federated timeline is dropped.
 */
export const onCreate: InboxHandler<Create> = async (deps, ctx, create) => {
  const sender = await senderOf(deps, ctx, create);
  if (!sender) return;
  const post = await create.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'throw' });
  if (!isPost(post) || !post.id || !sameOrigin(post.id, create.actorId) || post.attributionId?.href !== sender.account.uri) return;
  // A vote in a poll here: a Note without content naming an option, in reply to the poll's post.
  if (post instanceof Note && post.name && !post.content && post.replyTargetId) {
    const vote = await localPollVote(deps.read, post.replyTargetId.href, post.name.toString());
    if (vote) await apply(deps, create, () => deps.polls.vote(sender, vote.pollId, [vote.choice], { uri: post.id!.href }));
    return;
  }
  // A quoted post this server does not know yet is read from its own server first, so the quote shows it.
  const quoted = post.quoteId ?? post.quoteUrl;
  if (quoted && /^https?:$/.test(quoted.protocol)) await fetchPost(deps, ctx, quoted);
  const input = await postOf(post, sender.account.followers_url, { fetched: false });
  await apply(deps, create, () => deps.statuses.create(sender, input));
};
