import { Accept, Reject, type QuoteRequest } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { quoteStampUri } from '../objects.ts';
import { sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';
import { blockedEitherWay } from '../../../domain/graph/graph.service.ts';

/**
 * A remote account asks to quote a local post (FEP-044f). Public and unlisted posts may be quoted by
 * anyone not blocked either way: the answer is an Accept whose result is a stamp served at its own URL,
 * which other servers fetch to check. Anything else gets a Reject.
 */
export const onQuoteRequest: InboxHandler<QuoteRequest> = async (deps, ctx, request) => {
  const sender = await senderOf(deps, ctx, request);
  const quotingUri = request.instrumentId;
  if (!sender || !request.id || !request.objectId || !quotingUri || !sameOrigin(quotingUri, request.actorId)) return;
  const { db, clock } = deps.services;
  const quoted = await db.read
    .selectFrom('statuses')
    .innerJoin('accounts', 'accounts.id', 'statuses.account_id')
    .select([
      'statuses.id',
      'statuses.visibility',
      'statuses.reblog_of_id',
      'accounts.id as authorId',
      'accounts.username',
      'accounts.uri as authorUri',
    ])
    .where('statuses.uri', '=', request.objectId.href)
    .where('statuses.domain', 'is', null)
    .executeTakeFirst();
  if (!quoted) return;
  const blocked = await blockedEitherWay(db.read, quoted.authorId, sender.id);
  const me = new URL(quoted.authorUri);
  const to = { id: new URL(sender.uri), inboxId: new URL(sender.inbox_url!) };
  if (blocked || quoted.reblog_of_id !== null || !['public', 'unlisted'].includes(quoted.visibility) || !sender.inbox_url) {
    if (sender.inbox_url)
      await ctx.sendActivity(
        { identifier: quoted.username },
        to,
        new Reject({ id: new URL(`${quoted.authorUri}#quote-rejects/${uuid7(clock())}`), actor: me, object: request.id }),
      );
    return;
  }
  const id = uuid7(clock());
  await db.transaction((tx) =>
    tx
      .insertInto('quote_authorizations')
      .values({ id, quoted_status_id: quoted.id, quoting_uri: quotingUri.href, created_at: isoAt(clock) })
      .onConflict((oc) => oc.column('quoting_uri').doNothing())
      .execute(),
  );
  const stamp = await db.read
    .selectFrom('quote_authorizations')
    .select('id')
    .where('quoting_uri', '=', quotingUri.href)
    .where('quoted_status_id', '=', quoted.id)
    .executeTakeFirst();
  if (!stamp) return;
  await ctx.sendActivity(
    { identifier: quoted.username },
    to,
    new Accept({
      id: new URL(`${quoted.authorUri}#quote-accepts/${stamp.id}`),
      actor: me,
      object: request.id,
      result: new URL(quoteStampUri(quoted.authorUri, stamp.id)),
    }),
  );
};
