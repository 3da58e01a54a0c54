import type { Delete } from '@fedify/vocab';
import { deleteAccount } from '../../../domain/accounts/accounts.service.ts';
import { sameOrigin, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account deletes one of its posts, or itself: the copy here is removed for real. The actor's
 * own document is not fetched (it is gone); the verified signature is what proves the sender.
 */
export const onDelete: InboxHandler<Delete> = async (deps, _ctx, del) => {
  const actorId = del.actorId;
  const objectId = del.objectId;
  if (!actorId || !objectId || !sameOrigin(objectId, actorId)) return;
  const { db } = deps.services;
  const sender = await db.read.selectFrom('accounts').select(['id', 'domain']).where('uri', '=', actorId.href).executeTakeFirst();
  if (!sender || sender.domain === null) return;
  if (objectId.href === actorId.href) {
    await deleteAccount(db, sender.id, { flushMedia: deps.services.media.flush, changes: deps.services.changes });
    return;
  }
  await deps.store.deletePost(objectId.href, sender.id);
};
