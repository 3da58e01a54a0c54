import { Announce, Block, EmojiReact, Follow, Like, type Undo } from '@fedify/vocab';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { localAccount, sameOrigin, senderOf, type InboxHandler } from './inbox-deps.ts';
import { removeRepost } from './announce.ts';
import { removeLike } from './like.ts';

/** A remote account takes back a follow, a like, a repost or a block of its own. */
export const onUndo: InboxHandler<Undo> = async (deps, ctx, undo) => {
  const sender = await senderOf(deps, ctx, undo);
  if (!sender) return;
  // Only the actor's own activity can be undone; an embedded one from elsewhere is not believed.
  const object = await undo.getObject({ documentLoader: ctx.documentLoader, crossOrigin: 'ignore' });
  if (!object || !sameOrigin(object.id, undo.actorId) || (object as { actorId?: URL | null }).actorId?.href !== sender.uri) return;
  const { db, changes } = deps.services;
  if (object instanceof Follow) {
    const ended = await db.transaction(async (tx) => {
      const rows = [
        ...(await tx
          .deleteFrom('follows')
          .where('account_id', '=', sender.id)
          .where('uri', '=', object.id!.href)
          .returning('target_account_id')
          .execute()),
        ...(await tx
          .deleteFrom('follow_requests')
          .where('account_id', '=', sender.id)
          .where('uri', '=', object.id!.href)
          .returning('target_account_id')
          .execute()),
      ].map((r) => r.target_account_id);
      await tx
        .deleteFrom('notifications')
        .where('from_account_id', '=', sender.id)
        .where('account_id', 'in', rows.length ? rows : [''])
        .where('type', 'in', ['follow', 'follow_request'])
        .execute();
      await recountFollows(tx, [sender.id, ...rows]);
      return rows;
    });
    if (ended.length) changes.emit({ kind: 'accounts', ids: [sender.id, ...ended] });
  } else if (object instanceof Like || object instanceof EmojiReact) {
    await removeLike(deps, sender, object.objectId);
  } else if (object instanceof Announce) {
    await removeRepost(deps, sender, object.id!);
  } else if (object instanceof Block) {
    const target = await localAccount(deps, object.objectId);
    if (!target) return;
    await db.transaction((tx) =>
      tx.deleteFrom('blocks').where('account_id', '=', sender.id).where('target_account_id', '=', target.id).execute(),
    );
    changes.emit({ kind: 'viewers', ids: [sender.id, target.id] });
  }
};
