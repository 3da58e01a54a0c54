import { isActor, type Move } from '@fedify/vocab';
import { aliasesOf } from '../../../domain/accounts/migration.ts';
import { profileOf } from '../../../federation/remote-objects.ts';
import { apply, localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account moves to another account: the same command as a move through the API. Believed only
 * when the new account, as read from its own server now (or from this database, if it is local), names
 * the old one among its aliases (`alsoKnownAs`). Then local followers of the old account follow the new one.
 * The old account's server may be gone (a server that moved to a new domain and lost the old one): the
 * Move was signed with the old actor's key as stored here, and the account as stored is the sender.
 */
export const onMove: InboxHandler<Move> = async (deps, ctx, move) => {
  const sender = await senderOf(deps, ctx, move, { evenIfGone: true });
  const targetUri = move.targetId;
  if (!sender || move.objectId?.href !== sender.account.uri || !targetUri || targetUri.href === sender.account.uri) return;
  let target = await localAccount(deps, targetUri);
  if (!target) {
    const actor = await ctx.lookupObject(targetUri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
    if (!isActor(actor) || actor.id?.href !== targetUri.href) return;
    target = await deps.accounts.saveRemote(await profileOf(actor));
  }
  const newAccount = target;
  await apply(deps, move, () => deps.migration.move(sender, newAccount, aliasesOf(newAccount)));
};
