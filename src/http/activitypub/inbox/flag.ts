import type { Flag } from '@fedify/vocab';
import { withoutNul } from '../../../lib/text.ts';
import { senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * Another server reports a local account (and perhaps some of its posts): the report joins the
 * moderators' queue, attributed to that server, never to a person.
 */
export const onFlag: InboxHandler<Flag> = async (deps, ctx, flag) => {
  const sender = await senderOf(deps, ctx, flag);
  if (!sender?.domain || !flag.id) return;
  const uris = flag.objectIds.slice(0, 50).map((u) => u.href);
  let target = undefined;
  for (const uri of uris) target ??= await deps.store.localAccountByUri(uri);
  if (!target) {
    // A Flag naming only posts reports their author.
    const post = uris.length
      ? await deps.services.db.read
          .selectFrom('statuses')
          .select('account_id')
          .where('uri', 'in', uris)
          .where('domain', 'is', null)
          .executeTakeFirst()
      : undefined;
    target = post
      ? await deps.services.db.read.selectFrom('accounts').selectAll().where('id', '=', post.account_id).executeTakeFirst()
      : undefined;
  }
  if (!target) return;
  await deps.services.reports.receive({
    uri: flag.id.href,
    originDomain: sender.domain,
    target,
    statusUris: uris,
    comment: withoutNul(flag.content?.toString() ?? ''),
  });
};
