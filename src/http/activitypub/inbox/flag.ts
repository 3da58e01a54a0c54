import type { Flag } from '@fedify/vocab';
import { withoutNul } from '../../../lib/text.ts';
import { apply, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * Another server reports a local account (and perhaps some of its posts): the report joins the
 * moderators' queue, attributed to that server, never to a person.
 */
export const onFlag: InboxHandler<Flag> = async (deps, ctx, flag) => {
  const sender = await senderOf(deps, ctx, flag);
  if (!sender || !flag.id) return;
  const input = { uri: flag.id.href, objectUris: flag.objectIds.map((u) => u.href), comment: withoutNul(flag.content?.toString() ?? '') };
  await apply(deps, flag, () => deps.reports.create(sender, input));
};
