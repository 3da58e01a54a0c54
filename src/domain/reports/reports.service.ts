import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import { findAccountById, findLocalAccountsByUris, staffAccountIds, type AccountRow } from '../accounts/accounts.repo.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Invalid, NotFound } from '../errors.ts';
import { findStatusByUri } from '../statuses/statuses.repo.ts';
import { canSee } from '../statuses/visibility-policy.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';
import { notifyOfModeration } from '../notifications/notify.ts';
import { findReport, insertReport, statusesOfAccount, type ReportRow } from './reports.repo.ts';

export type { ReportRow };

export const REPORT_CATEGORIES = ['spam', 'legal', 'violation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** How much a report may say and point at. */
export const REPORT_LIMITS = Object.freeze({ comment: 1000, statuses: 20, rules: 20, remoteComment: 5000, objects: 50 });

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

/** What another server reports, from its Flag: the objects it names (a local account, or local posts). */
export interface IncomingReport {
  readonly uri: string;
  readonly objectUris: readonly string[];
  readonly comment: string;
}

/** Reports from members and from other servers: what moderators act on. */
export function createReportService(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;

  /** The local account a Flag reports: one it names, else the author of a local post it names. */
  async function reportedBy(uris: readonly string[]): Promise<AccountRow | undefined> {
    const [named] = await findLocalAccountsByUris(db.read, uris);
    if (named) return named;
    for (const uri of uris) {
      const status = await findStatusByUri(db.read, uri);
      if (status?.domain === null) return findAccountById(db.read, status.account_id);
    }
    return undefined;
  }

  return {
    /**
     * Files a report. A member's names an account and posts of it the member can see (and may be
     * forwarded, from the server, to the account's own server); a remote server's (the actor is its
     * sender) is attributed to that server, never to a person, and the same Flag twice is one report.
     */
    async create(actor: Actor, input: NewReport | IncomingReport): Promise<ReportRow | null> {
      const reporter = actor.account;
      if ('uri' in input) {
        if (isLocal(reporter)) throw new NotFound();
        const uris = input.objectUris.slice(0, REPORT_LIMITS.objects);
        const target = await reportedBy(uris);
        if (!target) return null;
        const statusIds = await statusesOfAccount(db.read, target.id, { uris: uris.slice(0, REPORT_LIMITS.statuses) });
        const id = uuid7();
        await run(async (unit) => {
          const filed = await insertReport(unit, {
            id,
            account_id: null,
            origin_domain: reporter.domain,
            uri: input.uri,
            target_account_id: target.id,
            status_ids: JSON.stringify(statusIds),
            comment: input.comment.slice(0, REPORT_LIMITS.remoteComment),
            category: 'other',
            created_at: unit.now,
            action_taken_at: null,
          });
          if (filed) await tellModerators(unit, id, reporter.id);
        });
        return (await findReport(db.read, id)) ?? null;
      }
      const target = await findAccountById(db.read, input.targetId);
      if (!target || target.id === reporter.id) throw new NotFound();
      const statusIds = [...new Set(input.statusIds)];
      if (statusIds.length > REPORT_LIMITS.statuses) {
        throw new Invalid(`At most ${REPORT_LIMITS.statuses} posts per report`, {
          status_ids: [{ error: 'ERR_TOO_MANY', description: `at most ${REPORT_LIMITS.statuses}` }],
        });
      }
      if (statusIds.length) {
        const owned = await statusesOfAccount(db.read, target.id, { ids: statusIds });
        const visible = await Promise.all(owned.map((id) => canSee(db.read, reporter.id, id)));
        if (owned.length !== statusIds.length || visible.includes(false)) {
          throw new Invalid("Some of the posts are not the reported account's", {
            status_ids: [{ error: 'ERR_INVALID', description: 'must be posts of the reported account you can see' }],
          });
        }
      }
      const forward = input.forward && target.domain !== null;
      const id = uuid7();
      await run(async (unit) => {
        await insertReport(unit, {
          id,
          account_id: reporter.id,
          origin_domain: null,
          uri: null,
          target_account_id: target.id,
          status_ids: JSON.stringify(statusIds),
          comment: input.comment,
          category: input.category,
          rule_ids: JSON.stringify([...new Set(input.ruleIds)]),
          forwarded: forward,
          created_at: unit.now,
          action_taken_at: null,
        });
        await tellModerators(unit, id, reporter.id);
        // Forwarded reports come from the server, not from the member who made them.
        if (forward) await recordActivity(unit, null, { type: 'reported', reportId: id });
      });
      return (await findReport(db.read, id))!;
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;

/** Every moderator and admin hears of a new report (`admin.report`), from whoever filed it. */
export async function tellModerators(unit: Unit, reportId: string, fromAccountId: string): Promise<void> {
  for (const staff of await staffAccountIds(unit.tx)) {
    if (staff === fromAccountId) continue;
    await notifyOfModeration(unit, { accountId: staff, fromAccountId, type: 'admin.report', reportId });
  }
}
