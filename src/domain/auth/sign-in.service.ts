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

/** The one answer for an unknown login and a wrong password alike. */
export const INVALID_LOGIN = 'Invalid email, username or password';

/**
 * Checks an email-or-username and password. Unknown logins cost the same time and get the same answer
 * as wrong passwords, and both count against the throttle.
 */
export async function checkPassword(
  db: Db,
  clock: Clock,
  throttle: SignInThrottle,
  input: { login: string; password: string; ip: string },
): Promise<VerifiedPassword> {
  const found = await findUserByLogin(db.read, input.login);
  const key = found ? `account:${found.account.id}` : `login:${input.login.trim().toLowerCase()}`;
  await throttle.check(key, input.ip);
  if (!found) {
    await spendPasswordCheck(input.password);
    throttle.recordFailure(key);
    throw new Unauthorized(INVALID_LOGIN);
  }
  if (!(await verifyPassword(input.password, found.user.password_hash))) {
    throttle.recordFailure(key);
    throw new Unauthorized(INVALID_LOGIN);
  }
  throttle.recordSuccess(key);
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
