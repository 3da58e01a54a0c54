import { isoAt, type Clock } from '../../lib/clock.ts';
import { spendPasswordCheck, verifyPassword } from '../../lib/password-hash.ts';
import type { Db } from '../../storage/db/database.ts';
import { findUserByLogin, type AccountRow, type UserRow } from '../accounts/accounts.repo.ts';
import { Unauthorized } from '../errors.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

/** A login whose password was right; `secondFactor` says what must still be proven. */
export interface VerifiedPassword {
  readonly account: AccountRow;
  readonly user: UserRow;
  readonly secondFactor: { readonly totp: boolean; readonly passkeys: boolean };
}

/** The one answer for an unknown login, a wrong password and an address not yet confirmed alike. */
export const INVALID_LOGIN = 'Invalid email, username or password (a new account signs in once its email address is confirmed)';

/**
 * Checks an email-or-username and password. Unknown logins, wrong passwords and accounts whose email is not
 * confirmed yet cost the same time, get the same answer and count alike against the throttle, which is
 * keyed by the login as typed: nothing tells whether an account exists (a sign-up with a taken address
 * answers as a new one would, and its password cannot sign in either).
 */
export async function checkPassword(
  db: Db,
  clock: Clock,
  throttle: SignInThrottle,
  input: { login: string; password: string; ip: string },
): Promise<VerifiedPassword> {
  const key = `login:${input.login.trim().toLowerCase()}`;
  await throttle.check(key, input.ip);
  const found = await findUserByLogin(db.read, input.login);
  if (!found) {
    await spendPasswordCheck(input.password);
    throttle.recordFailure(key, input.ip);
    throw new Unauthorized(INVALID_LOGIN);
  }
  if (!(await verifyPassword(input.password, found.user.password_hash)) || found.user.confirmed_at === null) {
    throttle.recordFailure(key, input.ip);
    throw new Unauthorized(INVALID_LOGIN);
  }
  throttle.recordSuccess(key, input.ip);
  // Told only to whoever knows the password: a suspended or disabled account does not sign in.
  const refusal = signInRefusal(found.account, found.user);
  if (refusal) throw new Unauthorized(refusal);
  await db.transaction((tx) =>
    tx
      .updateTable('users')
      .set({ last_sign_in_at: isoAt(clock) })
      .where('account_id', '=', found.account.id)
      .execute(),
  );
  const passkeys = await db.read.selectFrom('passkeys').select('id').where('account_id', '=', found.account.id).executeTakeFirst();
  return { ...found, secondFactor: { totp: found.user.totp_enabled_at !== null, passkeys: passkeys !== undefined } };
}

/** Why an account may not sign in or use its tokens (suspended, or sign-in disabled by a moderator), or null. */
export function signInRefusal(account: Pick<AccountRow, 'suspended_at'>, user: Pick<UserRow, 'disabled_at'>): string | null {
  if (account.suspended_at !== null) return 'Your account is suspended';
  if (user.disabled_at !== null) return 'Your login is currently disabled';
  return null;
}
