import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import { accountByAddress, aliasesOf, type AccountMigration, type AccountResolver } from '../../domain/accounts/migration.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { Forbidden } from '../../domain/errors.ts';
import { verifyPassword } from '../../lib/password-hash.ts';
import { readInput } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeAccount } from './serializers/account.serializer.ts';

const AcctInput = z.object({ acct: z.string().trim().min(1).max(300) }).loose();
const MoveInput = z.object({ acct: z.string().trim().min(1).max(300), password: z.string().min(1).max(1000) }).loose();

/**
 * Moving an account to another server, and back (Stoa's extension of the API, as Mastodon offers it in
 * its settings): `/api/v1/accounts/aliases` lists, adds and removes the accounts named as this one's
 * other names; `POST /api/v1/accounts/migration` moves this account to one that names it.
 */
export function migrationRoutes(deps: {
  config: Config;
  read: DbReader;
  migration: AccountMigration;
  resolve: AccountResolver;
}): RouteDef[] {
  const { read, config, migration, resolve } = deps;
  const find = (acct: string, fresh: boolean) => accountByAddress(read, resolve, acct, fresh);
  const listing = (aliases: readonly string[]) => ({ aliases: aliases.map((uri) => ({ uri })) });

  return [
    {
      method: 'GET',
      path: '/api/v1/accounts/aliases',
      access: scoped('read:accounts'),
      handler: (c) => c.json(listing(aliasesOf(currentUser(c).account))),
    },
    {
      method: 'POST',
      path: '/api/v1/accounts/aliases',
      access: scoped('write:accounts'),
      async handler(c) {
        const { acct } = readInput(c, AcctInput);
        return c.json(listing(await migration.addAlias(apiActor(currentUser(c).account), await find(acct, false))));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/accounts/aliases',
      access: scoped('write:accounts'),
      async handler(c) {
        const { acct } = readInput(c, AcctInput);
        return c.json(listing(await migration.removeAlias(apiActor(currentUser(c).account), (await find(acct, false)).uri)));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/accounts/migration',
      access: scoped('write:accounts'),
      async handler(c) {
        const { account, user } = currentUser(c);
        const input = readInput(c, MoveInput);
        if (!(await verifyPassword(input.password, user.password_hash))) throw new Forbidden('The password is not correct');
        // The new account is read from its server now: its aliases must name this account today.
        const target = await find(input.acct, true);
        const followersMoved = await migration.move(apiActor(account), target, aliasesOf(target));
        const counts = (await countAccounts(read, [target.id])).get(target.id)!;
        return c.json({ moved_to: serializeAccount(target, counts, config), followers_moved: followersMoved });
      },
    },
  ];
}
