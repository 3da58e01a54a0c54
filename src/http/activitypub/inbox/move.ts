import { isActor, type Move } from '@fedify/vocab';
import type { AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import { senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account moves to another account. Believed only when the new account, as read from its own
 * server now (or from this database, if it is local), names the old one among its aliases
 * (`alsoKnownAs`). Then local followers of the old account follow the new one.
 */
export const onMove: InboxHandler<Move> = async (deps, ctx, move) => {
  const sender = await senderOf(deps, ctx, move);
  const targetUri = move.targetId;
  if (!sender || move.objectId?.href !== sender.uri || !targetUri || targetUri.href === sender.uri) return;
  let target: AccountRow | undefined = await deps.store.localAccountByUri(targetUri.href);
  if (!target) {
    const actor = await ctx.lookupObject(targetUri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
    if (!isActor(actor) || actor.id?.href !== targetUri.href) return;
    target = await deps.store.saveActor(actor);
  }
  if (target.suspended_at !== null || !deps.services.migration.aliasesOf(target).includes(sender.uri)) return;
  await deps.services.migration.moved(sender, target);
};
