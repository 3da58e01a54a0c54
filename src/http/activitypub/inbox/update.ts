import { isActor, type Update } from '@fedify/vocab';
import { isPost, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account edits one of its posts, or its own profile. */
export const onUpdate: InboxHandler<Update> = async (deps, ctx, update) => {
  const sender = await senderOf(deps, ctx, update);
  if (!sender) return;
  const object = await update.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'throw' });
  if (!object?.id || !sameOrigin(object.id, update.actorId)) return;
  if (isActor(object)) {
    if (object.id.href === sender.uri) await deps.store.saveActor(object);
    return;
  }
  if (isPost(object) && object.attributionId?.href === sender.uri) await deps.store.updatePost(object, sender);
};
