import type { Block } from '@fedify/vocab';
import { isoAt } from '../../../lib/clock.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { recountFollows } from '../../../domain/accounts/account-counts.repo.ts';
import { localAccount, senderOf, type InboxHandler } from './inbox-deps.ts';

/** A remote account blocks a local one: follows end both ways and neither sees the other. */
export const onBlock: InboxHandler<Block> = async (deps, ctx, block) => {
  const sender = await senderOf(deps, ctx, block);
  const target = await localAccount(deps, block.objectId);
  if (!sender || !target) return;
  const { db, clock, changes } = deps.services;
  await db.transaction(async (tx) => {
    for (const table of ['follows', 'follow_requests'] as const) {
      await tx
        .deleteFrom(table)
        .where((w) => w.or([w.and([w('account_id', '=', sender.id), w('target_account_id', '=', target.id)]), w.and([w('account_id', '=', target.id), w('target_account_id', '=', sender.id)])]))
        .execute();
    }
    await tx.insertInto('blocks').values({ id: uuid7(clock()), account_id: sender.id, target_account_id: target.id, created_at: isoAt(clock) }).onConflict((oc) => oc.doNothing()).execute();
    await recountFollows(tx, [sender.id, target.id]);
  });
  changes.emit({ kind: 'viewers', ids: [sender.id, target.id] });
  changes.emit({ kind: 'accounts', ids: [sender.id, target.id] });
};
