import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../../config/index.ts';
import { NotFound } from '../../../domain/errors.ts';
import { reportsQuery } from '../../../domain/moderation/moderation.repo.ts';
import type { ModerationService } from '../../../domain/moderation/moderation.service.ts';
import { staffOf } from '../../../domain/moderation/staff.ts';
import { findReport } from '../../../domain/reports/reports.repo.ts';
import { REPORT_CATEGORIES, REPORT_LIMITS } from '../../../domain/reports/reports.service.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { readWindow } from '../../../storage/db/keyset.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import { HttpError } from '../../shared/http-error.ts';
import { formBool, readInput, stringList } from '../../shared/input.ts';
import { currentUser, staffOnly, type RouteDef } from '../../shared/route-table.ts';
import { readPage, setLinkHeader } from '../pagination.ts';
import { serializeAdminReports } from './admin.serializers.ts';

const ListInput = z
  .object({
    resolved: formBool.optional(),
    account_id: z.string().max(64).optional(),
    target_account_id: z.string().max(64).optional(),
    by_target_domain: z.string().max(300).optional(),
  })
  .loose();

const UpdateInput = z
  .object({
    category: z.enum(REPORT_CATEGORIES).optional(),
    rule_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(REPORT_LIMITS.rules)).optional(),
  })
  .loose();

/** What the admin reports API uses. */
export interface AdminReportsRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly moderation: ModerationService;
}

/** Mastodon's admin API for reports: list, view, assign, resolve, reopen, recategorize. */
export function adminReportsRoutes(deps: AdminReportsRouteDeps): RouteDef[] {
  const { config, read, moderation } = deps;
  const staff = (c: Context<AppEnv>) => {
    const { account, user } = currentUser(c);
    return staffOf(account, user);
  };
  const one = async (c: Context<AppEnv>, id: string) => {
    const report = await findReport(read, id);
    if (!report) throw new NotFound();
    return c.json((await serializeAdminReports(read, config, config.instance.rules, [report]))[0]);
  };
  const change = (name: string, apply: (c: Context<AppEnv>, id: string) => Promise<void>): RouteDef => ({
    method: 'POST',
    path: `/api/v1/admin/reports/:id/${name}`,
    access: staffOnly('admin:write:reports'),
    async handler(c) {
      const id = c.req.param('id')!;
      await apply(c, id);
      return one(c, id);
    },
  });
  return [
    {
      method: 'GET',
      path: '/api/v1/admin/reports',
      access: staffOnly('admin:read:reports'),
      async handler(c) {
        const input = readInput(c, ListInput);
        const page = readPage(c, 100, 200);
        const query = reportsQuery(read, {
          resolved: input.resolved ?? false,
          accountId: input.account_id,
          targetAccountId: input.target_account_id,
          byTargetDomain: input.by_target_domain,
        });
        const reports = await readWindow(query, 'id', page);
        setLinkHeader(
          c,
          config.publicUrl,
          reports.map((r) => r.id),
        );
        return c.json(await serializeAdminReports(read, config, config.instance.rules, reports));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/admin/reports/:id',
      access: staffOnly('admin:read:reports'),
      handler: (c) => one(c, c.req.param('id')!),
    },
    {
      method: 'PUT',
      path: '/api/v1/admin/reports/:id',
      access: staffOnly('admin:write:reports'),
      async handler(c) {
        const id = c.req.param('id')!;
        const input = readInput(c, UpdateInput);
        const unknownRule = input.rule_ids?.find((r) => !/^[1-9][0-9]*$/.test(r) || Number(r) > config.instance.rules.length);
        if (unknownRule !== undefined) throw new HttpError(422, `Validation failed: there is no rule ${unknownRule}`);
        await moderation.recategorize(staff(c), id, { category: input.category, ruleIds: input.rule_ids });
        return one(c, id);
      },
    },
    change('assign_to_self', (c, id) => moderation.assignReport(staff(c), id, true)),
    change('unassign', (c, id) => moderation.assignReport(staff(c), id, false)),
    change('resolve', (c, id) => moderation.resolveReport(staff(c), id, true)),
    change('reopen', (c, id) => moderation.resolveReport(staff(c), id, false)),
  ];
}
