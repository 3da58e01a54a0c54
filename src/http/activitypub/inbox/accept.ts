import { QuoteAuthorization, type Accept } from '@fedify/vocab';
import { findFollowByUri } from '../../../domain/graph/graph.repo.ts';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { QUOTE_REQUEST_SUFFIX } from '../objects.ts';
import { apply, sameOrigin, senderOf, type InboxDeps, type InboxHandler } from './inbox-deps.ts';
import type { Actor } from '../../../domain/actor.ts';

/**
 * A remote account accepted a local account's follow request (the API's authorize command), or its request
 * to quote (the stamp is kept on the quoting post, which is sent again with it).
 */
export const onAccept: InboxHandler<Accept> = async (deps, ctx, accept) => {
  const sender = await senderOf(deps, ctx, accept);
  const objectUri = accept.objectId?.href;
  if (!sender || !objectUri) return;
  if (objectUri.endsWith(QUOTE_REQUEST_SUFFIX))
    return acceptQuote(deps, ctx, accept, sender, objectUri.slice(0, -QUOTE_REQUEST_SUFFIX.length));
  // Only the account that was asked can accept, and only a request that is still waiting.
  const request = await findFollowByUri(deps.read, objectUri);
  if (request?.table !== 'follow_requests' || request.target_account_id !== sender.account.id) return;
  await apply(deps, accept, () => deps.graph.answerRequest(sender, request.account_id, true));
};

/** Keeps the quoted author's stamp once it checks out: theirs, for this post and the post it quotes. */
async function acceptQuote(
  deps: InboxDeps,
  ctx: Parameters<InboxHandler<Accept>>[1],
  accept: Accept,
  sender: Actor,
  quotingUri: string,
): Promise<void> {
  const stampUri = accept.resultId;
  if (!stampUri || !sameOrigin(stampUri, new URL(sender.account.uri))) return;
  const quoting = await findStatusByUri(deps.read, quotingUri);
  if (quoting?.domain !== null || !quoting.quote_of_id) return;
  const stamp = await ctx.lookupObject(stampUri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  if (!(stamp instanceof QuoteAuthorization) || stamp.id?.href !== stampUri.href || stamp.attributionId?.href !== sender.account.uri)
    return;
  const quoted = await findStatusByUri(deps.read, stamp.interactionTargetId?.href ?? '');
  if (stamp.interactingObjectId?.href !== quotingUri || quoted?.id !== quoting.quote_of_id) return;
  await apply(deps, accept, () => deps.statuses.acceptQuoteStamp(sender, quoting.id, stampUri.href));
}
