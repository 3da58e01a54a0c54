import type { Selectable } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import type { ReportsTable } from '../../storage/db/schema.ts';
import type { AccountRow } from '../accounts/accounts.repo.ts';
import { findAccountById } from '../accounts/accounts.repo.ts';
import type { Changes } from '../changes.ts';
import { Invalid, NotFound } from '../errors.ts';
import { canSee } from '../statuses/visibility-policy.ts';
import { recordActivity } from '../activity-queue.ts';

export type ReportRow = Selectable<ReportsTable>;

export const REPORT_CATEGORIES = ['spam', 'legal', 'violation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** How much a report may say and point at. */
export const REPORT_LIMITS = Object.freeze({ comment: 1000, statuses: 20, rules: 20, remoteComment: 5000 });

/** What a member says when reporting an account. */
export interface NewReport {
  readonly targetId: string;
  readonly statusIds: readonly string[];
  readonly comment: string;
  readonly category: ReportCategory;
  readonly ruleIds: readonly string[];
  /** Send a copy (anonymously, from the server) to the reported account's server. */
  readonly forward: boolean;
}

/** What another server reports about a local account, from its Flag. */
export interface IncomingReport {
  readonly uri: string;
  readonly originDomain: string;
  readonly target: AccountRow;
  readonly statusUris: readonly string[];
  readonly comment: string;
}

/** Reports from members and from other servers: what moderators act on. */
export function createReportService(deps: { db: Db; clock: Clock; changes: Changes }) {
  const { db, clock, changes } = deps;
  return {
    /** Files a member's report; statuses must be the reported account's and visible to the reporter. */
    async create(reporter: AccountRow, input: NewReport): Promise<ReportRow> {
      const target = await findAccountById(db.read, input.targetId);
      if (!target || target.id === reporter.id) throw new NotFound();
      const statusIds = [...new Set(input.statusIds)];
      if (statusIds.length > REPORT_LIMITS.statuses)
        throw new Invalid(`At most ${REPORT_LIMITS.statuses} posts per report`, {
          status_ids: [{ error: 'ERR_TOO_MANY', description: `at most ${REPORT_LIMITS.statuses}` }],
        });
      if (statusIds.length) {
        const owned = await db.read
          .selectFrom('statuses')
          .select('id')
          .where('id', 'in', statusIds)
          .where('account_id', '=', target.id)
          .execute();
        const visible = await Promise.all(owned.map((s) => canSee(db.read, reporter.id, s.id)));
        if (owned.length !== statusIds.length || visible.includes(false))
          throw new Invalid("Some of the posts are not the reported account's", {
            status_ids: [{ error: 'ERR_INVALID', description: 'must be posts of the reported account you can see' }],
          });
      }
      const forward = input.forward && target.domain !== null;
      const report = {
        id: uuid7(clock()),
        account_id: reporter.id,
        origin_domain: null,
        uri: null,
        target_account_id: target.id,
        status_ids: JSON.stringify(statusIds),
        comment: input.comment,
        category: input.category,
        rule_ids: JSON.stringify([...new Set(input.ruleIds)]),
        forwarded: forward,
        created_at: isoAt(clock),
        action_taken_at: null,
      };
      await db.transaction(async (tx) => {
        await tx.insertInto('reports').values(report).execute();
        if (forward) await recordActivity(tx, { type: 'reported', reportId: report.id }, report.created_at);
      });
      if (forward) changes.emit({ kind: 'activity-recorded' });
      return await db.read.selectFrom('reports').selectAll().where('id', '=', report.id).executeTakeFirstOrThrow();
    },

    /** Files a report another server sent; the same Flag twice is one report. */
    async receive(input: IncomingReport): Promise<void> {
      const statuses = input.statusUris.length
        ? await db.read
            .selectFrom('statuses')
            .select('id')
            .where('uri', 'in', input.statusUris.slice(0, REPORT_LIMITS.statuses))
            .where('account_id', '=', input.target.id)
            .execute()
        : [];
      await db.transaction((tx) =>
        tx
          .insertInto('reports')
          .values({
            id: uuid7(clock()),
            account_id: null,
            origin_domain: input.originDomain,
            uri: input.uri,
            target_account_id: input.target.id,
            status_ids: JSON.stringify(statuses.map((s) => s.id)),
            comment: input.comment.slice(0, REPORT_LIMITS.remoteComment),
            category: 'other',
            created_at: isoAt(clock),
            action_taken_at: null,
          })
          .onConflict((oc) => oc.column('uri').doNothing())
          .execute(),
      );
    },

    /** Reports not yet acted on, newest first. */
    open(limit = 100): Promise<ReportRow[]> {
      return db.read
        .selectFrom('reports')
        .selectAll()
        .where('action_taken_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
