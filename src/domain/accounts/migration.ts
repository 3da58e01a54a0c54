import type { Db, DbReader } from '../../storage/db/database.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Invalid } from '../errors.ts';
import type { GraphService } from '../graph/graph.service.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { findAccountByHandle, updateAccount, type AccountRow } from './accounts.repo.ts';

/** How many other names an account may list as its own (`alsoKnownAs`). */
export const MAX_ALIASES = 10;
/** An account moves at most once in this long. */
export const MOVE_COOLDOWN_MS = 30 * 24 * 3600_000;

const aliasesOf = (account: AccountRow): string[] => JSON.parse(account.also_known_as) as string[];

/** Looks an account up by address: `user` (local), `user@host` or an actor URL; `fresh` re-reads a remote one. */
export type AccountResolver = (query: string, options?: { fresh?: boolean }) => Promise<AccountRow | null>;

/**
 * The account an address typed by a member names (`user`, `@user@host`, or an actor URL): a local one
 * from this database, another server's read through `resolve` (again from its server when `fresh`).
 * Throws `Invalid` on the `acct` field when there is none.
 */
export async function accountByAddress(read: DbReader, resolve: AccountResolver, address: string, fresh: boolean): Promise<AccountRow> {
  const query = address.trim().replace(/^@/, '');
  const found =
    query.includes('@') || /^https?:\/\//i.test(query)
      ? await resolve(query, { fresh }).catch(() => null)
      : await findAccountByHandle(read, query, null);
  if (!found)
    throw new Invalid('No such account', { acct: [{ error: 'ERR_INVALID', description: 'no account was found by that address' }] });
  return found;
}

/**
 * Moving an account, as on Mastodon: the new account first names the old one among its aliases, then
 * the old one moves; its followers follow the new one (those here at once, those elsewhere when their
 * servers receive the Move). The same command applies when a remote account moves.
 */
export function accountMigration(deps: { db: Db; run: RunCommand; graph: GraphService }) {
  const { run } = deps;
  const saveAliases = async (account: AccountRow, aliases: string[]) => {
    await run(async (unit) => {
      await updateAccount(unit, account.id, { also_known_as: JSON.stringify(aliases) });
      await recordActivity(unit, account, { type: 'profile-updated', accountId: account.id });
    });
    return aliases;
  };

  return {
    /** Names `other` (an account's URI) as another account of the same person. */
    async addAlias(actor: Actor, other: AccountRow): Promise<string[]> {
      const account = actor.account;
      if (other.id === account.id)
        throw new Invalid('An account cannot be its own alias', { acct: [{ error: 'ERR_INVALID', description: 'is this account' }] });
      const aliases = aliasesOf(account);
      if (aliases.includes(other.uri)) return aliases;
      if (aliases.length >= MAX_ALIASES) {
        throw new Invalid(`At most ${MAX_ALIASES} aliases`, {
          acct: [{ error: 'ERR_TOO_MANY', description: `at most ${MAX_ALIASES} aliases` }],
        });
      }
      return saveAliases(account, [...aliases, other.uri]);
    },

    /** Stops naming `otherUri` as another account of the same person. */
    async removeAlias(actor: Actor, otherUri: string): Promise<string[]> {
      return saveAliases(
        actor.account,
        aliasesOf(actor.account).filter((uri) => uri !== otherUri),
      );
    },

    /**
     * Moves the actor's account to `target`. A local account's move is checked here (the target's current
     * aliases, as just read from its server, must name it; once in 30 days) and announced to its remote
     * followers' servers; a remote account's Move was checked by federation. Followers here move at once.
     * Returns how many now follow (or asked to follow) the new account.
     */
    async move(actor: Actor, target: AccountRow, targetAliases: readonly string[]): Promise<number> {
      const account = actor.account;
      const refuse = (description: string) =>
        new Invalid(`The account cannot move: ${description}`, { acct: [{ error: 'ERR_INVALID', description }] });
      if (target.id === account.id) throw refuse('it is this account');
      if (target.suspended_at !== null) throw refuse('the new account is suspended');
      if (!targetAliases.includes(account.uri)) throw refuse('the new account must first name this one as an alias');
      if (isLocal(account)) {
        if (target.moved_to_account_id !== null) throw refuse('the new account has itself moved');
        if (account.moved_at && Date.parse(account.moved_at) > Date.now() - MOVE_COOLDOWN_MS)
          throw refuse('an account moves at most once in 30 days');
      }
      await run(async (unit) => {
        await updateAccount(unit, account.id, { moved_to_account_id: target.id, moved_at: unit.now });
        await recordActivity(unit, account, { type: 'account-moved', accountId: account.id, targetId: target.id });
      });
      return deps.graph.moveFollowers(actor.origin, account.id, target.id);
    },
  };
}

export { aliasesOf };

export type AccountMigration = ReturnType<typeof accountMigration>;
