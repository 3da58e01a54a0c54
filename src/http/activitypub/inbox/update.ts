import { isActor, type Update } from '@fedify/vocab';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { postOf, profileOf } from '../../../federation/remote-objects.ts';
import { apply, isPost, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account edits one of its posts (the API's edit command), or its own profile. */
export const onUpdate: InboxHandler<Update> = async (deps, ctx, update) => {
  const sender = await senderOf(deps, ctx, update);
  if (!sender) return;
  const object = await update.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'throw' });
  if (!object?.id || !sameOrigin(object.id, update.actorId)) return;
  if (isActor(object)) {
    if (object.id.href === sender.account.uri) await deps.accounts.saveRemote(await profileOf(object));
    return;
  }
  if (!isPost(object) || object.attributionId?.href !== sender.account.uri) return;
  const status = await findStatusByUri(deps.read, object.id.href);
  if (!status) return;
  const input = await postOf(object, sender.account.followers_url, { fetched: false });
  await apply(deps, update, () => deps.statuses.edit(sender, status.id, input));
};
