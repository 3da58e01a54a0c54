import { isoAt, type Clock } from '../../lib/clock.ts';
import type { Db } from '../../storage/db/database.ts';
import type { Changes } from '../changes.ts';
import { Invalid } from '../errors.ts';
import type { GraphService } from '../graph/graph.service.ts';
import type { AccountRow } from './accounts.repo.ts';
import { recordActivity } from '../activity-queue.ts';

/** How many other names an account may list as its own (`alsoKnownAs`). */
export const MAX_ALIASES = 10;
/** An account moves at most once in this long. */
export const MOVE_COOLDOWN_MS = 30 * 24 * 3600_000;

const aliasesOf = (account: AccountRow): string[] => JSON.parse(account.also_known_as) as string[];

/**
 * Moving an account, as on Mastodon: the new account first names the old one among its aliases, then
 * the old one moves; its followers follow the new one (those here at once, those elsewhere when their
 * servers receive the Move). The same steps apply when a remote account moves.
 */
export function accountMigration(deps: { db: Db; clock: Clock; changes: Changes; graph: GraphService }) {
  const { db, clock, changes } = deps;
  const saveAliases = async (account: AccountRow, aliases: string[]) => {
    await db.transaction(async (tx) => {
      await tx
        .updateTable('accounts')
        .set({ also_known_as: JSON.stringify(aliases), updated_at: isoAt(clock) })
        .where('id', '=', account.id)
        .execute();
      await recordActivity(tx, { type: 'profile-updated', accountId: account.id }, isoAt(clock));
    });
    changes.emit({ kind: 'accounts', ids: [account.id] });
    changes.emit({ kind: 'activity-recorded' });
    return aliases;
  };

  return {
    aliasesOf,

    /** Names `other` (an account's URI) as another account of the same person. */
    async addAlias(account: AccountRow, other: AccountRow): Promise<string[]> {
      if (other.id === account.id)
        throw new Invalid('An account cannot be its own alias', { acct: [{ error: 'ERR_INVALID', description: 'is this account' }] });
      const aliases = aliasesOf(account);
      if (aliases.includes(other.uri)) return aliases;
      if (aliases.length >= MAX_ALIASES)
        throw new Invalid(`At most ${MAX_ALIASES} aliases`, {
          acct: [{ error: 'ERR_TOO_MANY', description: `at most ${MAX_ALIASES} aliases` }],
        });
      return saveAliases(account, [...aliases, other.uri]);
    },

    async removeAlias(account: AccountRow, other: AccountRow): Promise<string[]> {
      return saveAliases(
        account,
        aliasesOf(account).filter((uri) => uri !== other.uri),
      );
    },

    /**
     * Moves `account` to `target`, whose current aliases (as just read from its server) must name it.
     * Followers here move at once; the `account-moved` event carries the Move to the rest.
     */
    async move(account: AccountRow, target: AccountRow, targetAliases: readonly string[]): Promise<number> {
      const refuse = (description: string) =>
        new Invalid(`The account cannot move: ${description}`, { acct: [{ error: 'ERR_INVALID', description }] });
      if (target.id === account.id) throw refuse('it is this account');
      if (target.suspended_at !== null) throw refuse('the new account is suspended');
      if (target.moved_to_account_id !== null) throw refuse('the new account has itself moved');
      if (!targetAliases.includes(account.uri)) throw refuse('the new account must first name this one as an alias');
      if (account.moved_at && Date.parse(account.moved_at) > clock() - MOVE_COOLDOWN_MS)
        throw refuse('an account moves at most once in 30 days');
      await recordMove(account.id, target.id, true);
      return deps.graph.moveFollowers(account.id, target.id);
    },

    /** A remote account moved (its Move checked): followers here follow the new account. */
    async moved(account: AccountRow, target: AccountRow): Promise<number> {
      await recordMove(account.id, target.id, false);
      return deps.graph.moveFollowers(account.id, target.id);
    },
  };

  /** Records the move; a local account's is also announced (`Move` to its remote followers' servers). */
  async function recordMove(accountId: string, targetId: string, announce: boolean) {
    const now = isoAt(clock);
    await db.transaction(async (tx) => {
      await tx
        .updateTable('accounts')
        .set({ moved_to_account_id: targetId, moved_at: now, updated_at: now })
        .where('id', '=', accountId)
        .execute();
      if (announce) await recordActivity(tx, { type: 'account-moved', accountId, targetId }, now);
    });
    changes.emit({ kind: 'accounts', ids: [accountId] });
    if (announce) changes.emit({ kind: 'activity-recorded' });
  }
}

export type AccountMigration = ReturnType<typeof accountMigration>;
