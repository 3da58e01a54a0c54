import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import type { ReportService } from '../../domain/reports/reports.service.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { Invalid, RateLimited } from '../../domain/errors.ts';
import { REPORT_CATEGORIES, REPORT_LIMITS } from '../../domain/reports/reports.service.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeReports } from './serializers/report.serializer.ts';

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

/** What the reports API uses: the report commands, the reader, and the limiter of reports per member. */
export interface ReportsRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly reports: ReportService;
  readonly limiter: RateLimiter;
}

/** `POST /api/v1/reports`: a member reports an account (moderators read reports through the admin API). */
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
        return c.json((await serializeReports(read, config, [report]))[0]);
      },
    },
  ];
}
