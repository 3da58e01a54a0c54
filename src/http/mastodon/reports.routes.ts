import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import { openReports } from '../../domain/reports/reports.repo.ts';
import type { ReportService } from '../../domain/reports/reports.service.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { Forbidden, Invalid, RateLimited } from '../../domain/errors.ts';
import { REPORT_CATEGORIES, REPORT_LIMITS, type ReportRow } from '../../domain/reports/reports.service.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeAccount, type AccountUrls } from './serializers/account.serializer.ts';
import type { AdminReport, Report } from './entities.ts';

const ReportInput = z
  .object({
    account_id: z.string().min(1).max(64),
    status_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(REPORT_LIMITS.statuses)).optional(),
    comment: z.string().max(REPORT_LIMITS.comment).optional(),
    forward: formBool.optional(),
    category: z.enum(REPORT_CATEGORIES).optional(),
    rule_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(REPORT_LIMITS.rules)).optional(),
  })
  .loose();

/** Reports one member may file per hour. */
const REPORTS_PER_HOUR = 20;

const ListInput = z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }).loose();

/** Reports as Mastodon's Report entity (for the reporter) and its admin form (for moderators). */
async function serializeReports(
  db: DbReader,
  urls: AccountUrls,
  reports: readonly ReportRow[],
  admin: boolean,
): Promise<(Report | AdminReport)[]> {
  const ids = [...new Set(reports.flatMap((r) => [r.target_account_id, ...(admin && r.account_id ? [r.account_id] : [])]))];
  const accounts = new Map((await findAccountsByIds(db, ids)).map((a) => [a.id, a]));
  const counts = await countAccounts(db, ids);
  const account = (id: string | null) => {
    const row = id ? accounts.get(id) : undefined;
    return row ? serializeAccount(row, counts.get(row.id)!, urls) : null;
  };
  return reports.map((r) => ({
    id: r.id,
    action_taken: r.action_taken_at !== null,
    action_taken_at: r.action_taken_at,
    category: r.category,
    comment: r.comment,
    forwarded: Boolean(r.forwarded),
    created_at: r.created_at,
    status_ids: JSON.parse(r.status_ids) as string[],
    rule_ids: JSON.parse(r.rule_ids) as string[],
    target_account: account(r.target_account_id),
    ...(admin ? { account: account(r.account_id), origin_domain: r.origin_domain } : {}),
  }));
}

/** What the reports API uses: the report commands, the reader, and the limiter of reports per member. */
export interface ReportsRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly reports: ReportService;
  readonly limiter: RateLimiter;
}

/** `POST /api/v1/reports` for members; `GET /api/v1/admin/reports` (open reports) for moderators. */
export function reportsRoutes(deps: ReportsRouteDeps): RouteDef[] {
  const { read, config, reports, limiter } = deps;
  return [
    {
      method: 'POST',
      path: '/api/v1/reports',
      access: scoped('write:reports'),
      async handler(c) {
        const { account } = currentUser(c);
        const input = readInput(c, ReportInput);
        // Rules are named by their position (the Rule entity's id), as the Instance lists them.
        const unknownRule = input.rule_ids?.find((id) => !/^[1-9][0-9]*$/.test(id) || Number(id) > config.instance.rules.length);
        if (unknownRule !== undefined)
          throw new Invalid('Validation failed: a rule does not exist', {
            rule_ids: [{ error: 'ERR_INVALID', description: `no rule ${unknownRule} on this server` }],
          });
        const rate = await limiter.hit(`reports:${account.id}`, REPORTS_PER_HOUR, 3600_000);
        if (!rate.allowed) throw new RateLimited(rate.retryAfterSeconds, 'Too many reports; try again later');
        const report = (await reports.create(apiActor(account), {
          targetId: input.account_id,
          statusIds: input.status_ids ?? [],
          comment: input.comment ?? '',
          category: input.category ?? (input.rule_ids?.length ? 'violation' : 'other'),
          ruleIds: input.rule_ids ?? [],
          forward: input.forward ?? false,
        }))!;
        return c.json((await serializeReports(read, config, [report], false))[0]);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/admin/reports',
      access: scoped('admin:read:reports'),
      async handler(c) {
        const { user } = currentUser(c);
        if (user.role !== 'moderator' && user.role !== 'admin') throw new Forbidden('This action is not allowed');
        const { limit } = readInput(c, ListInput);
        return c.json(await serializeReports(read, config, await openReports(read, limit ?? 100), true));
      },
    },
  ];
}
