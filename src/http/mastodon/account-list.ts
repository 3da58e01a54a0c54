import type { Context } from 'hono';
import type { Config } from '../../config/index.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds, type AccountRow } from '../../domain/accounts/accounts.repo.ts';
import { emojisOfAccounts } from '../../domain/emoji/custom-emojis.ts';
import type { ListedAccount } from '../../domain/graph/graph.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import type { Account } from './entities.ts';
import { setLinkHeader } from './pagination.ts';
import { serializeAccount, type AccountUrls } from './serializers/account.serializer.ts';

/** The Account entities of these accounts (with their counts and custom emoji, in two queries), by id. */
export async function accountEntities(read: DbReader, urls: AccountUrls, accounts: readonly AccountRow[]): Promise<Map<string, Account>> {
  const ids = accounts.map((a) => a.id);
  const [counts, emojis] = await Promise.all([countAccounts(read, ids), emojisOfAccounts(read, accounts)]);
  return new Map(accounts.map((a) => [a.id, serializeAccount(a, counts.get(a.id)!, urls, emojis.get(a.id))]));
}

/** The Account entities of these accounts, in the order given, leaving out those suspended or unknown. */
export async function accountsInOrder(read: DbReader, config: Config, ids: readonly string[]): Promise<Map<string, Account>> {
  const accounts = (await findAccountsByIds(read, [...new Set(ids)])).filter((a) => a.suspended_at === null);
  const byId = await accountEntities(read, config, accounts);
  return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
}

/**
 * Answers a page of accounts listed through rows with time-ordered cursors (followers, blocks, who
 * favourited...): the accounts that are not suspended, in the rows' order, with Mastodon's `Link` header.
 */
export async function accountListResponse(
  c: Context<AppEnv>,
  read: DbReader,
  config: Config,
  rows: readonly ListedAccount[],
): Promise<Response> {
  const accounts = await accountsInOrder(
    read,
    config,
    rows.map((r) => r.account_id),
  );
  setLinkHeader(
    c,
    config.publicUrl,
    rows.map((r) => r.cursor),
  );
  return c.json([...accounts.values()]);
}
