import type { Logger } from '../../lib/logger.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { Db } from '../../storage/db/database.ts';
import { deleteAccountRows, findAccountById, findUserByAccountId, type AccountRow } from '../accounts/accounts.repo.ts';
import type { AccountService } from '../accounts/accounts.service.ts';
import { isLocal } from '../actor.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { notifyOfModeration } from '../notifications/notify.ts';
import { findReport, type ReportRow } from '../reports/reports.repo.ts';
import type { SearchIndex } from '../statuses/search-index.ts';
import { deleteStatusRows, findStatusById } from '../statuses/statuses.repo.ts';
import type { StatusService } from '../statuses/statuses.service.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { ACCOUNT_ACTIONS, UNDO_ACTIONS, applyAction, undoAction, type AccountAction, type UndoAction } from './account-effects.ts';
import { appendAudit } from './audit-log.ts';
import { decideAppeal, findWarning, insertWarning, setAppeal, statusIdsOf, updateReport, type WarningRow } from './moderation.repo.ts';
import { auditBy, type Staff } from './staff.ts';

export { ACCOUNT_ACTIONS, UNDO_ACTIONS, type AccountAction, type UndoAction };

/** How long a suspended account's data is kept (for an appeal) before it is deleted for real. */
export const SUSPENSION_GRACE_MS = 30 * 24 * 3600_000;

/** How much a strike's reason and an appeal may say. */
export const MODERATION_LIMITS = Object.freeze({ text: 5000, appeal: 2000, statuses: 100 });

/** A moderator's action on an account. */
export interface AccountActionInput {
  readonly type: AccountAction;
  readonly reportId?: string | undefined;
  /** The reason, shown to the member with the strike. */
  readonly text?: string | undefined;
  readonly statusIds?: readonly string[] | undefined;
  /** Mail the member about it (local accounts). */
  readonly sendEmail?: boolean | undefined;
}

/**
 * The moderation commands: actions on accounts and their undoing, sign-up approval, reports, strikes and
 * appeals, and the removal of posts. Each is one unit of work that also appends to the audit log, so a
 * change and its record commit together or not at all. They act on local and remote accounts alike:
 * hiding is done where every read path looks (the account's standing), not on one surface.
 */
export function createModerationService(deps: {
  db: Db;
  run: RunCommand;
  search: SearchIndex;
  accounts: AccountService;
  statuses: StatusService;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  siteName: string;
}) {
  const { db, run } = deps;
  const log = deps.logger.child({ category: 'moderation' });

  /** The target of an action: it exists, is not the staff member, and is not an admin acted on by a moderator. */
  async function targetOf(staff: Staff, id: string): Promise<AccountRow> {
    const target = await findAccountById(db.read, id);
    if (!target) throw new NotFound();
    if (staff.account?.id === target.id) throw new Forbidden('You cannot moderate your own account');
    if (isLocal(target) && staff.role !== 'admin') {
      const user = await findUserByAccountId(db.read, target.id);
      if (user?.role === 'admin') throw new Forbidden('Only admins may act on an admin');
    }
    return target;
  }

  async function reportFor(reportId: string | undefined, target: AccountRow): Promise<ReportRow | null> {
    if (reportId === undefined) return null;
    const report = await findReport(db.read, reportId);
    if (!report) throw new NotFound('Report not found');
    if (report.target_account_id !== target.id)
      throw new Invalid('The report is about another account', {
        report_id: [{ error: 'ERR_INVALID', description: 'is not about this account' }],
      });
    return report;
  }

  /** Mails a member about an action on their account, after the commit; a mail that fails is logged. */
  async function mail(target: AccountRow, subject: string, text: string): Promise<void> {
    const user = await findUserByAccountId(db.read, target.id);
    if (!user) return;
    try {
      await deps.mailer.send({ to: user.email, subject: `${subject} (${deps.siteName})`, text });
    } catch (error) {
      log.warn({ err: error, account: target.id }, 'could not mail a member about a moderation action');
    }
  }

  const UNDOES: Readonly<Record<AccountAction, UndoAction | null>> = {
    none: null,
    sensitive: 'unsensitive',
    disable: 'enable',
    silence: 'unsilence',
    suspend: 'unsuspend',
  };

  return {
    /**
     * Takes an action on an account (Mastodon's `POST /api/v1/admin/accounts/:id/action`). With a report,
     * the report is resolved; a local account gets a strike it can see and appeal (a notification, and
     * a mail when asked).
     */
    async act(staff: Staff, targetId: string, input: AccountActionInput): Promise<WarningRow | null> {
      const target = await targetOf(staff, targetId);
      if (input.type === 'disable' && !isLocal(target))
        throw new Invalid('Only local accounts can be disabled', {
          type: [{ error: 'ERR_INVALID', description: 'disable is for local accounts' }],
        });
      const report = await reportFor(input.reportId, target);
      const text = (input.text ?? '').slice(0, MODERATION_LIMITS.text);
      const statusIds = [...new Set(input.statusIds ?? (report ? (JSON.parse(report.status_ids) as string[]) : []))].slice(
        0,
        MODERATION_LIMITS.statuses,
      );
      const warningId = await run(async (unit) => {
        await applyAction(unit, target, input.type, 'moderator');
        if (report)
          await updateReport(unit, report.id, { action_taken_at: unit.now, action_taken_by_account_id: staff.account?.id ?? null });
        let id: string | null = null;
        if (isLocal(target)) {
          id = uuid7(unit.clock());
          await insertWarning(unit, {
            id,
            account_id: staff.account?.id ?? null,
            target_account_id: target.id,
            action: input.type,
            text,
            report_id: report?.id ?? null,
            status_ids: JSON.stringify(statusIds),
            created_at: unit.now,
          });
          await notifyOfModeration(unit, {
            accountId: target.id,
            fromAccountId: target.id,
            type: 'moderation_warning',
            accountWarningId: id,
          });
        }
        await appendAudit(unit, {
          ...auditBy(staff),
          action: input.type === 'none' ? 'warn' : input.type,
          targetType: 'account',
          targetId: target.id,
          detail: { handle: handleOf(target), text, report: report?.id ?? null },
        });
        return id;
      });
      if (input.sendEmail && isLocal(target)) {
        await mail(
          target,
          input.type === 'none' ? 'A warning from the moderators' : `Your account was acted on: ${input.type}`,
          `The moderators of ${deps.siteName} took this action on your account @${target.username}: ${input.type}.\n\n${text ? `Their reason:\n${text}\n\n` : ''}You can see it, and appeal it once, at ${deps.publicUrl}/settings/strikes\n`,
        );
      }
      return warningId ? ((await findWarning(db.read, warningId)) ?? null) : null;
    },

    /** Undoes an action (unsilence, unsuspend, unsensitive, enable). */
    async undo(staff: Staff, targetId: string, type: UndoAction): Promise<void> {
      const target = await targetOf(staff, targetId);
      await run(async (unit) => {
        await undoAction(unit, target, type);
        await appendAudit(unit, {
          ...auditBy(staff),
          action: type,
          targetType: 'account',
          targetId: target.id,
          detail: { handle: handleOf(target) },
        });
      });
    },

    /** Approves a sign-up waiting for the moderators; approving twice changes nothing. */
    async approve(staff: Staff, targetId: string): Promise<void> {
      const target = await targetOf(staff, targetId);
      const user = await findUserByAccountId(db.read, target.id);
      if (!user) throw new NotFound();
      if (user.approved_at !== null) return;
      await run(async (unit) => {
        await unit.tx
          .updateTable('users')
          .set({ approved_at: unit.now, updated_at: unit.now })
          .where('account_id', '=', target.id)
          .execute();
        unit.changed({ kind: 'accounts', ids: [target.id] });
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'approve',
          targetType: 'account',
          targetId: target.id,
          detail: { handle: handleOf(target) },
        });
      });
      await mail(
        target,
        'Your application was approved',
        `Welcome! Your application to ${deps.siteName} was approved. Sign in at ${deps.publicUrl}/auth/sign_in\n`,
      );
    },

    /** Rejects a sign-up waiting for the moderators: the account is deleted and the applicant told. */
    async reject(staff: Staff, targetId: string): Promise<void> {
      const target = await targetOf(staff, targetId);
      const user = await findUserByAccountId(db.read, target.id);
      if (!user) throw new NotFound();
      if (user.approved_at !== null) throw new Forbidden('Only sign-ups waiting for approval can be rejected');
      await mail(
        target,
        'Your application was not approved',
        `Your application to ${deps.siteName} was not approved, and the account was removed.\n`,
      );
      await run(async (unit) => {
        await deleteAccountRows(unit, db.engine, target.id);
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'reject',
          targetType: 'account',
          targetId: target.id,
          detail: { handle: handleOf(target) },
        });
      });
    },

    /**
     * Deletes a suspended account's data for real now, without waiting for the grace period (Mastodon's
     * `DELETE /api/v1/admin/accounts/:id`).
     */
    async deleteSuspended(staff: Staff, targetId: string): Promise<void> {
      const target = await targetOf(staff, targetId);
      if (target.suspended_at === null) throw new Forbidden('Only a suspended account can be deleted');
      await run((unit) =>
        appendAudit(unit, {
          ...auditBy(staff),
          action: 'delete',
          targetType: 'account',
          targetId: target.id,
          detail: { handle: handleOf(target) },
        }),
      );
      await this.purge(target.id);
    },

    /**
     * Removes a suspended account's content for good: a local account is deleted (and other servers told),
     * a remote one keeps its row (so that it stays suspended) but loses its posts here.
     */
    async purge(accountId: string): Promise<void> {
      const account = await findAccountById(db.read, accountId);
      if (!account || account.suspended_at === null) return;
      if (isLocal(account)) return deps.accounts.delete({ account, origin: 'cli' });
      for (;;) {
        const batch = await statusIdsOf(db.read, accountId, 100);
        for (const { id } of batch) {
          const status = await findStatusById(db.read, id);
          if (status) await run((unit) => deleteStatusRows(unit, deps.search, status));
        }
        if (batch.length < 100) return;
      }
    },

    /** Removes one post (a moderator's removal): deleted as its author's deletion is, so other servers hear of it. */
    async removeStatus(staff: Staff, statusId: string, reason: string): Promise<void> {
      const status = await findStatusById(db.read, statusId);
      if (!status) throw new NotFound();
      const author = await findAccountById(db.read, status.account_id);
      if (!author) throw new NotFound();
      await deps.statuses.delete({ account: author, origin: staff.origin }, statusId);
      await run((unit) =>
        appendAudit(unit, {
          ...auditBy(staff),
          action: 'remove_status',
          targetType: 'status',
          targetId: statusId,
          detail: { author: handleOf(author), uri: status.uri, reason: reason.slice(0, MODERATION_LIMITS.text) },
        }),
      );
    },

    /** Assigns a report to the staff member (or to nobody). */
    async assignReport(staff: Staff, reportId: string, toSelf: boolean): Promise<void> {
      if (!(await findReport(db.read, reportId))) throw new NotFound();
      await run(async (unit) => {
        await updateReport(unit, reportId, { assigned_account_id: toSelf ? (staff.account?.id ?? null) : null });
        await appendAudit(unit, {
          ...auditBy(staff),
          action: toSelf ? 'assign_report' : 'unassign_report',
          targetType: 'report',
          targetId: reportId,
        });
      });
    },

    /** Marks a report resolved (without an action on the account), or opens it again. */
    async resolveReport(staff: Staff, reportId: string, resolved: boolean): Promise<void> {
      if (!(await findReport(db.read, reportId))) throw new NotFound();
      await run(async (unit) => {
        await updateReport(
          unit,
          reportId,
          resolved
            ? { action_taken_at: unit.now, action_taken_by_account_id: staff.account?.id ?? null }
            : { action_taken_at: null, action_taken_by_account_id: null },
        );
        await appendAudit(unit, {
          ...auditBy(staff),
          action: resolved ? 'resolve_report' : 'reopen_report',
          targetType: 'report',
          targetId: reportId,
        });
      });
    },

    /** Changes a report's category and the rules it names. */
    async recategorize(
      staff: Staff,
      reportId: string,
      change: { category?: string | undefined; ruleIds?: readonly string[] | undefined },
    ): Promise<void> {
      if (!(await findReport(db.read, reportId))) throw new NotFound();
      await run(async (unit) => {
        await updateReport(unit, reportId, {
          ...(change.category !== undefined ? { category: change.category } : {}),
          ...(change.ruleIds !== undefined ? { rule_ids: JSON.stringify([...new Set(change.ruleIds)]) } : {}),
        });
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'update_report',
          targetType: 'report',
          targetId: reportId,
          detail: { ...change },
        });
      });
    },

    /** A member appeals one of their strikes, once, with a text the moderators read. */
    async appeal(account: AccountRow, warningId: string, text: string): Promise<void> {
      const warning = await findWarning(db.read, warningId);
      if (!warning || warning.target_account_id !== account.id) throw new NotFound();
      const trimmed = text.trim();
      if (!trimmed || trimmed.length > MODERATION_LIMITS.appeal)
        throw new Invalid('Validation failed', {
          text: [
            {
              error: trimmed ? 'ERR_TOO_LONG' : 'ERR_BLANK',
              description: trimmed ? `at most ${MODERATION_LIMITS.appeal} characters` : "can't be blank",
            },
          ],
        });
      await run(async (unit) => {
        if (!(await setAppeal(unit, warningId, trimmed))) throw new Forbidden('This strike was already appealed');
      });
    },

    /** A moderator decides an appeal: approved, the action is undone; rejected, it stands. Both are on the record. */
    async decideAppeal(staff: Staff, warningId: string, approve: boolean): Promise<void> {
      const warning = await findWarning(db.read, warningId);
      if (!warning) throw new NotFound();
      const target = await targetOf(staff, warning.target_account_id);
      await run(async (unit) => {
        if (!(await decideAppeal(unit, warningId, approve ? 'approved' : 'rejected', staff.account?.id ?? null)))
          throw new Forbidden('This strike has no appeal waiting');
        const undo = UNDOES[warning.action as AccountAction] ?? null;
        if (approve && undo) await undoAction(unit, target, undo);
        await appendAudit(unit, {
          ...auditBy(staff),
          action: approve ? 'approve_appeal' : 'reject_appeal',
          targetType: 'warning',
          targetId: warningId,
          detail: { handle: handleOf(target), action: warning.action },
        });
      });
    },
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;

/** An account's handle as moderators read it: `@name` or `@name@domain`. */
export function handleOf(account: Pick<AccountRow, 'username' | 'domain'>): string {
  return account.domain ? `@${account.username}@${account.domain}` : `@${account.username}`;
}
