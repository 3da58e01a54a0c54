import { countAccounts } from '../../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../../domain/accounts/accounts.repo.ts';
import type { ReportRow } from '../../../domain/reports/reports.repo.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { Report } from '../entities.ts';
import { serializeAccount, type AccountUrls } from './account.serializer.ts';

/** Reports as Mastodon's Report entity: what a reporter (or a moderator's notification) shows. */
export async function serializeReports(db: DbReader, urls: AccountUrls, reports: readonly ReportRow[]): Promise<Report[]> {
  const ids = [...new Set(reports.map((r) => r.target_account_id))];
  const accounts = new Map((await findAccountsByIds(db, ids)).map((a) => [a.id, a]));
  const counts = await countAccounts(db, ids);
  return reports.map((r) => {
    const target = accounts.get(r.target_account_id);
    return {
      id: r.id,
      action_taken: r.action_taken_at !== null,
      action_taken_at: r.action_taken_at,
      category: r.category,
      comment: r.comment,
      forwarded: toBool(r.forwarded),
      created_at: r.created_at,
      status_ids: JSON.parse(r.status_ids) as string[],
      rule_ids: JSON.parse(r.rule_ids) as string[],
      target_account: target ? serializeAccount(target, counts.get(target.id)!, urls) : null,
    };
  });
}
