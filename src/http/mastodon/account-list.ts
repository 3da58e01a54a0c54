import type { Context } from 'hono';
import type { Config } from '../../config/index.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import type { ListedAccount } from '../../domain/graph/graph.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { setLinkHeader } from './pagination.ts';
import { serializeAccount } from './serializers/account.serializer.ts';

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
  const accounts = new Map(
    (
      await findAccountsByIds(
        read,
        rows.map((r) => r.account_id),
      )
    )
      .filter((a) => a.suspended_at === null)
      .map((a) => [a.id, a]),
  );
  const counts = await countAccounts(read, [...accounts.keys()]);
  setLinkHeader(
    c,
    config.publicUrl,
    rows.map((r) => r.cursor),
  );
  return c.json(
    rows.flatMap((r) =>
      accounts.has(r.account_id) ? [serializeAccount(accounts.get(r.account_id)!, counts.get(r.account_id)!, config)] : [],
    ),
  );
}
