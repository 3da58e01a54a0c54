import type { Delete } from '@fedify/vocab';
import { findAccountByUri } from '../../../domain/accounts/accounts.repo.ts';
import { remoteActor } from '../../../domain/actor.ts';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import { apply, sameOrigin, type InboxHandler } from './inbox-deps.ts';

/**
 * A remote account deletes one of its posts, or itself: the copy here is removed for real, by the same
 * commands as a deletion through the API. The actor's own document is not fetched (it is gone); the
 * verified signature is what proves the sender.
 */
export const onDelete: InboxHandler<Delete> = async (deps, _ctx, del) => {
  const actorId = del.actorId;
  const objectId = del.objectId;
  if (!actorId || !objectId || !sameOrigin(objectId, actorId)) return;
  const account = await findAccountByUri(deps.read, actorId.href);
  if (!account || account.domain === null) return;
  const sender = remoteActor(account);
  if (objectId.href === actorId.href) return apply(deps, del, () => deps.accounts.delete(sender));
  const status = await findStatusByUri(deps.read, objectId.href);
  if (status) await apply(deps, del, () => deps.statuses.delete(sender, status.id));
};
