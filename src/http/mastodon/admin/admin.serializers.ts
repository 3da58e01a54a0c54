import type { Selectable } from 'kysely';
import { countAccounts } from '../../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../../domain/accounts/accounts.repo.ts';
import { accountIps, adminAccount, domainDigest, type AdminAccountRow, type Measure } from '../../../domain/moderation/admin.views.ts';
import type { DomainBlockRow, IpBlockRow, WarningRow } from '../../../domain/moderation/moderation.repo.ts';
import type { ReportRow } from '../../../domain/reports/reports.repo.ts';
import { findStatusesByIds } from '../../../domain/statuses/statuses.repo.ts';
import { loadStatusViews } from '../../../domain/statuses/statuses.views.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { Database } from '../../../storage/db/schema.ts';
import type {
  AccountWarning,
  AdminAccount,
  AdminCanonicalEmailBlock,
  AdminDomainAllow,
  AdminDomainBlock,
  AdminEmailDomainBlock,
  AdminIpBlock,
  AdminMeasure,
  AdminReport,
  Rule,
} from '../entities.ts';
import { ROLES, serializeAccount, type AccountUrls } from '../serializers/account.serializer.ts';
import { serializeReports } from '../serializers/report.serializer.ts';
import { serializeStatus } from '../serializers/status.serializer.ts';

/** Accounts as moderators see them (Mastodon's Admin::Account), in the order given. */
export async function serializeAdminAccounts(db: DbReader, urls: AccountUrls, rows: readonly AdminAccountRow[]): Promise<AdminAccount[]> {
  const counts = await countAccounts(
    db,
    rows.map((r) => r.account.id),
  );
  return Promise.all(
    rows.map(async (row) => {
      const { account, user } = row;
      const ips = await accountIps(db, row);
      return {
        id: account.id,
        username: account.username,
        domain: account.domain,
        created_at: account.created_at,
        email: user?.email ?? '',
        ip: ips[0]?.ip ?? null,
        ips,
        locale: user?.locale ?? '',
        invite_request: user?.registration_reason ?? null,
        role: ROLES[user?.role ?? 'user'],
        confirmed: user ? user.confirmed_at !== null : true,
        approved: user ? user.approved_at !== null : true,
        disabled: user ? user.disabled_at !== null : false,
        silenced: account.silenced_at !== null,
        suspended: account.suspended_at !== null,
        sensitized: account.sensitized_at !== null,
        account: serializeAccount(account, counts.get(account.id)!, urls),
        invited_by_account_id: null,
      };
    }),
  );
}

/** Reports as moderators see them, with the reported posts (as the moderator may see them) and the rules they name. */
export async function serializeAdminReports(
  db: DbReader,
  urls: AccountUrls,
  rules: readonly string[],
  reports: readonly ReportRow[],
): Promise<AdminReport[]> {
  const ids = [
    ...new Set(
      reports.flatMap((r) =>
        [r.target_account_id, r.account_id, r.assigned_account_id, r.action_taken_by_account_id].filter((id): id is string => id !== null),
      ),
    ),
  ];
  const rows = (await Promise.all(ids.map((id) => adminAccount(db, id)))).filter((r): r is AdminAccountRow => r !== undefined);
  const accounts = new Map((await serializeAdminAccounts(db, urls, rows)).map((a) => [a.id, a]));
  const statusIds = [...new Set(reports.flatMap((r) => JSON.parse(r.status_ids) as string[]))];
  // Moderators see reported posts whatever their visibility: they are evidence.
  const views = await loadStatusViews(db, null, await findStatusesByIds(db, statusIds));
  const statuses = new Map(views.map((v) => [v.status.id, serializeStatus(v, urls)]));
  const account = (id: string | null) => (id ? (accounts.get(id) ?? null) : null);
  const base = new Map((await serializeReports(db, urls, reports)).map((r) => [r.id, r]));
  return reports.map((r) => {
    const { rule_ids: ruleIds, target_account: _publicTarget, ...shared } = base.get(r.id)!;
    return {
      ...shared,
      updated_at: r.updated_at ?? r.created_at,
      account: account(r.account_id),
      origin_domain: r.origin_domain,
      target_account: account(r.target_account_id)!,
      assigned_account: account(r.assigned_account_id),
      action_taken_by_account: account(r.action_taken_by_account_id),
      statuses: shared.status_ids.flatMap((id) => statuses.get(id) ?? []),
      rules: ruleIds.flatMap((id): Rule[] => {
        const text = rules[Number(id) - 1];
        return text === undefined ? [] : [{ id, text, hint: '' }];
      }),
    };
  });
}

export function serializeDomainBlock(b: DomainBlockRow): AdminDomainBlock {
  return {
    id: b.id,
    domain: b.domain,
    digest: domainDigest(b.domain),
    created_at: b.created_at,
    severity: b.severity,
    reject_media: toBool(b.reject_media),
    reject_reports: toBool(b.reject_reports),
    private_comment: b.private_comment,
    public_comment: b.public_comment,
    obfuscate: toBool(b.obfuscate),
    source: b.source,
  };
}

export function serializeDomainAllow(row: Selectable<Database['domain_allows']>): AdminDomainAllow {
  return { id: row.id, domain: row.domain, created_at: row.created_at };
}

export function serializeEmailDomainBlock(row: Selectable<Database['email_domain_blocks']>): AdminEmailDomainBlock {
  return { id: row.id, domain: row.domain, created_at: row.created_at, history: [] };
}

export function serializeIpBlock(row: IpBlockRow): AdminIpBlock {
  return { id: row.id, ip: row.ip, severity: row.severity, comment: row.comment, created_at: row.created_at, expires_at: row.expires_at };
}

export function serializeCanonicalEmailBlock(row: Selectable<Database['canonical_email_blocks']>): AdminCanonicalEmailBlock {
  return { id: row.id, canonical_email_hash: row.canonical_email_hash };
}

export function serializeMeasure(m: Measure): AdminMeasure {
  return {
    key: m.key,
    unit: null,
    total: String(m.total),
    human_value: String(m.total),
    previous_total: String(m.previousTotal),
    data: m.days.map((d) => ({ date: d.date, value: String(d.value) })),
  };
}

/** Strikes as their member sees them (Mastodon's AccountWarning). */
export async function serializeWarnings(db: DbReader, urls: AccountUrls, warnings: readonly WarningRow[]): Promise<AccountWarning[]> {
  const ids = [...new Set(warnings.map((w) => w.target_account_id))];
  const accounts = new Map((await findAccountsByIds(db, ids)).map((a) => [a.id, a]));
  const counts = await countAccounts(db, ids);
  return warnings.flatMap((w) => {
    const target = accounts.get(w.target_account_id);
    if (!target) return [];
    return [
      {
        id: w.id,
        action: w.action,
        text: w.text,
        status_ids: JSON.parse(w.status_ids) as string[],
        target_account: serializeAccount(target, counts.get(target.id)!, urls),
        appeal: w.appeal_state && w.appeal_text ? { text: w.appeal_text, state: w.appeal_state } : null,
        created_at: w.created_at,
      },
    ];
  });
}
