import type { QuoteRequest } from '@fedify/vocab';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { apply, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account asks to quote a local post (FEP-044f). The domain decides (public and unlisted posts,
 * no block either way) and the local author's answer leaves as an activity: an Accept whose result is a
 * stamp served at its own URL, which other servers fetch to check, or a Reject.
 */
export const onQuoteRequest: InboxHandler<QuoteRequest> = async (deps, ctx, request) => {
  const sender = await senderOf(deps, ctx, request);
  const quotingUri = request.instrumentId;
  if (!sender || !request.id || !request.objectId || !quotingUri || !sameOrigin(quotingUri, request.actorId)) return;
  const quoted = await findStatusByUri(deps.read, request.objectId.href);
  if (quoted?.domain !== null) return;
  const answer = { uri: request.id.href, quotingUri: quotingUri.href };
  await apply(deps, request, () => deps.statuses.answerQuoteRequest(sender, quoted.id, answer));
};
