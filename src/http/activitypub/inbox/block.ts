import type { Block } from '@fedify/vocab';
import { recordBlock } from '../../../domain/graph/graph.service.ts';
import { localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account blocks a local one: follows end both ways and neither sees the other. */
export const onBlock: InboxHandler<Block> = async (deps, ctx, block) => {
  const sender = await senderOf(deps, ctx, block);
  const target = await localAccount(deps, block.objectId);
  if (!sender || !target) return;
  const { db, clock, changes } = deps.services;
  await db.transaction((tx) => recordBlock(tx, clock, sender.id, target.id));
  changes.emit({ kind: 'viewers', ids: [sender.id, target.id] });
  changes.emit({ kind: 'accounts', ids: [sender.id, target.id] });
};
