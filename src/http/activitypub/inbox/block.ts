import type { Block } from '@fedify/vocab';
import { apply, localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account blocks a local one: follows end both ways and neither sees the other. */
export const onBlock: InboxHandler<Block> = async (deps, ctx, block) => {
  const sender = await senderOf(deps, ctx, block);
  const target = await localAccount(deps, block.objectId);
  if (!sender || !target) return;
  await apply(deps, block, () => deps.graph.block(sender, target.id));
};
