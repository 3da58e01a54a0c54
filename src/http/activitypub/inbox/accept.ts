import { QuoteAuthorization, type Accept } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { QUOTE_REQUEST_SUFFIX } from '../objects.ts';
import { recordActivity } from '../../../domain/activity-queue.ts';
import { sameOrigin, senderOf, type InboxDeps, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account accepted a local account's follow request (the request becomes a follow), or its
 * request to quote (the stamp is kept on the quoting post, which is sent again with it).
 */
export const onAccept: InboxHandler<Accept> = async (deps, ctx, accept) => {
  const sender = await senderOf(deps, ctx, accept);
  const followUri = accept.objectId?.href;
  if (!sender || !followUri) return;
  if (followUri.endsWith(QUOTE_REQUEST_SUFFIX))
    return acceptQuote(deps, ctx, accept, sender.uri, followUri.slice(0, -QUOTE_REQUEST_SUFFIX.length));
  const { db, clock } = deps.services;
  // Only the account that was asked can accept, and only a request that is still waiting.
  const requester = await db.transaction(async (tx) => {
    const request = await tx
      .deleteFrom('follow_requests')
      .where('uri', '=', followUri)
      .where('target_account_id', '=', sender.id)
      .returningAll()
      .executeTakeFirst();
    if (!request) return null;
    await tx
      .insertInto('follows')
      .values({
        ...request,
        show_reblogs: toBool(request.show_reblogs),
        notify: toBool(request.notify),
        id: uuid7(clock()),
        created_at: isoAt(clock),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recountFollows(tx, [request.account_id, sender.id]);
    return request.account_id;
  });
  if (requester) {
    deps.services.changes.emit({ kind: 'viewers', ids: [requester] });
    deps.services.changes.emit({ kind: 'accounts', ids: [requester, sender.id] });
  }
};

/** Keeps the quoted author's stamp once it checks out: theirs, for this post and the post it quotes. */
async function acceptQuote(
  deps: InboxDeps,
  ctx: Parameters<InboxHandler<Accept>>[1],
  accept: Accept,
  senderUri: string,
  quotingUri: string,
): Promise<void> {
  const { db, changes } = deps.services;
  const stampUri = accept.resultId;
  if (!stampUri || !sameOrigin(stampUri, new URL(senderUri))) return;
  const quoting = await db.read
    .selectFrom('statuses')
    .innerJoin('statuses as quoted', 'quoted.id', 'statuses.quote_of_id')
    .innerJoin('accounts as author', 'author.id', 'quoted.account_id')
    .select(['statuses.id', 'statuses.account_id as accountId', 'quoted.uri as quotedUri', 'author.uri as authorUri'])
    .where('statuses.uri', '=', quotingUri)
    .where('statuses.domain', 'is', null)
    .executeTakeFirst();
  if (!quoting || quoting.authorUri !== senderUri) return;
  const stamp = await ctx.lookupObject(stampUri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  if (!(stamp instanceof QuoteAuthorization) || stamp.id?.href !== stampUri.href || stamp.attributionId?.href !== senderUri) return;
  if (stamp.interactingObjectId?.href !== quotingUri || stamp.interactionTargetId?.href !== quoting.quotedUri) return;
  await db.transaction(async (tx) => {
    await tx.updateTable('statuses').set({ quote_authorization_uri: stampUri.href }).where('id', '=', quoting.id).execute();
    // The quote goes out again, with the stamp.
    await recordActivity(tx, { type: 'status-updated', accountId: quoting.accountId, statusId: quoting.id }, isoAt(deps.services.clock));
  });
  changes.emit({ kind: 'statuses', ids: [quoting.id] });
  changes.emit({ kind: 'activity-recorded' });
}
