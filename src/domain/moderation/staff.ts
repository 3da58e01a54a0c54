import type { AccountRow, UserRow } from '../accounts/accounts.repo.ts';
import { Forbidden } from '../errors.ts';
import type { Origin } from '../actor.ts';
import type { AuditRecord } from './audit-log.ts';

/** The roles that may moderate: moderators act on accounts and reports, admins also on servers and blocks. */
export type StaffRole = 'moderator' | 'admin';

/** Who takes a moderation action: a moderator or admin (through the API or the web), or the operator at the command line. */
export interface Staff {
  /** The staff member's account; null for the operator at the command line. */
  readonly account: AccountRow | null;
  readonly role: StaffRole;
  readonly origin: Origin;
  /** How the audit log names an actor without an account (default: its origin). */
  readonly label?: string;
}

/** A staff member acting through the API or the web, or a Forbidden error for a member. */
export function staffOf(account: AccountRow, user: Pick<UserRow, 'role'>): Staff {
  if (user.role !== 'moderator' && user.role !== 'admin') throw new Forbidden('This action is not allowed');
  return { account, role: user.role, origin: 'api' };
}

/** What a moderator or admin without a second factor is told when the server requires one. */
export const STAFF_NEED_SECOND_FACTOR = 'Moderators and admins must turn on two-factor authentication (in the security settings) to act';

/** The operator at the command line: an admin with no account. */
export const OPERATOR: Staff = Object.freeze({ account: null, role: 'admin', origin: 'cli' });

/** Refuses a moderator an action that only admins may take. */
export function requireAdmin(staff: Staff): void {
  if (staff.role !== 'admin') throw new Forbidden('This action is not allowed');
}

/** How an action by `staff` is recorded in the audit log. */
export function auditBy(staff: Staff): Pick<AuditRecord, 'accountId' | 'actor'> {
  return staff.account
    ? { accountId: staff.account.id, actor: `@${staff.account.username}` }
    : { accountId: null, actor: staff.label ?? staff.origin };
}
