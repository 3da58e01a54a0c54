import type { Context } from 'hono';
import type { SignInThrottle } from '../../../domain/auth/sign-in-throttle.ts';
import type { TotpService } from '../../../domain/auth/totp.service.ts';
import { verifyPassword } from '../../../lib/password-hash.ts';
import type { AppEnv } from '../../shared/app-env.ts';

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 1000) : '');

/**
 * Whether the signed-in member proved again that it is them before a step that cannot be taken back
 * (deleting the account, moving it): the form's `password`, and its `code` when two-factor authentication
 * is on. Attempts are throttled per `purpose` and account, as sign-ins are; a failure counts.
 */
export async function confirmIdentity(
  deps: { readonly throttle: SignInThrottle; readonly totp: TotpService },
  c: Context<AppEnv>,
  purpose: string,
): Promise<boolean> {
  const { account, user } = c.var.session!;
  const key = `${purpose}:${account.id}`;
  await deps.throttle.check(key, c.var.clientIp);
  const passwordOk = await verifyPassword(text(c.var.body.password), user.password_hash);
  const codeOk =
    !user.totp_enabled_at ||
    (await deps.totp.verify(account.id, text(c.var.body.code)).then(
      () => true,
      () => false,
    ));
  if (passwordOk && codeOk) return true;
  deps.throttle.recordFailure(key, c.var.clientIp);
  return false;
}
