import type { Config } from '../../../config/index.ts';
import { findUserByAccountId } from '../../../domain/accounts/accounts.repo.ts';
import type { PasskeyService } from '../../../domain/auth/passkeys.service.ts';
import type { SignInThrottle } from '../../../domain/auth/sign-in-throttle.ts';
import type { TotpService } from '../../../domain/auth/totp.service.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Signer } from '../../../lib/signed-value.ts';
import type { Db } from '../../../storage/db/database.ts';
import { Hono, type Context } from 'hono';
import { checkPassword } from '../../../domain/auth/sign-in.service.ts';
import { RateLimited, Unauthorized } from '../../../domain/errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { csrfField, field, notice, passkeyMessages, safeReturnPath, sendPage } from '../page.ts';
import { textFor } from '../i18n/index.ts';

const PENDING_TTL_MS = 5 * 60 * 1000;

/** Sign-in with a password, the second-factor step (TOTP or recovery code), and sign-out. */
/** What these routes use. */
export interface SignInRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Db;
  readonly passkeys: PasskeyService;
  readonly totp: TotpService;
  readonly throttle: SignInThrottle;
  readonly signers: { readonly pendingSignIn: Signer };
}

export function signInRoutes(deps: SignInRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const signInForm = (c: Context<AppEnv>, options: { error?: string; login?: string; returnTo: string; status?: number }) => {
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('sign_in.title'),
      html`<h1>${t('sign_in.heading', { site })}</h1>
${notice(options.error)}
<form method="post" action="/auth/sign_in">${csrfField(browser.csrfToken(c))}
<input type="hidden" name="return_to" value="${options.returnTo}">
${field({ name: 'login', label: t('sign_in.login'), value: options.login, autocomplete: 'username webauthn' })}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password' })}
<p><button type="submit">${t('sign_in.submit')}</button></p>
</form>
<p><button type="button" class="passkey" data-passkey-sign-in data-csrf="${browser.csrfToken(c)}" data-return-to="${options.returnTo}"${passkeyMessages(t)}>${t('sign_in.passkey')}</button></p>
<p><a href="/auth/password">${t('sign_in.forgot')}</a> · <a href="/auth/sign_up">${t('sign_in.create')}</a></p>`,
      { status: options.status, scripts: ['/static/passkey.js'] },
    );
  };

  routes.get('/auth/sign_in', (c) => signInForm(c, { returnTo: safeReturnPath(c.req.query('return_to')) }));

  routes.post('/auth/sign_in', async (c) => {
    browser.checkCsrf(c);
    const body = c.var.body;
    const login = typeof body.login === 'string' ? body.login.slice(0, 300) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
    const returnTo = safeReturnPath(body.return_to);
    let verified;
    try {
      verified = await checkPassword(deps.db, deps.clock, deps.throttle, { login, password, ip: c.var.clientIp });
    } catch (error) {
      if (error instanceof Unauthorized) return signInForm(c, { error: error.publicMessage, login, returnTo, status: 401 });
      if (error instanceof RateLimited) {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return signInForm(c, { error: error.publicMessage, login, returnTo, status: 429 });
      }
      throw error;
    }
    if (verified.secondFactor.totp || verified.secondFactor.passkeys) {
      browser.setShortCookie(
        c,
        'pending',
        deps.signers.pendingSignIn.sign({ a: verified.account.id, r: returnTo }, PENDING_TTL_MS),
        PENDING_TTL_MS / 1000,
      );
      return c.redirect('/auth/two_factor', 303);
    }
    await browser.start(c, verified.account.id);
    return c.redirect(returnTo, 303);
  });

  const pending = (c: Context<AppEnv>) =>
    deps.signers.pendingSignIn.verify<{ a: string; r: string }>(browser.readShortCookie(c, 'pending'));

  const twoFactorForm = async (c: Context<AppEnv>, accountId: string, error?: string, status?: number) => {
    const user = await findUserByAccountId(deps.db.read, accountId);
    const hasPasskeys = (await deps.passkeys.list(accountId)).length > 0;
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('two_factor.title'),
      html`<h1>${t('two_factor.title')}</h1>
${notice(error)}
${
  user?.totp_enabled_at
    ? html`<form method="post" action="/auth/two_factor">${csrfField(browser.csrfToken(c))}
${field({ name: 'code', label: t('two_factor.code'), autocomplete: 'one-time-code' })}
<p><button type="submit">${t('two_factor.continue')}</button></p></form>`
    : ''
}
${hasPasskeys ? html`<p><button type="button" class="passkey" data-passkey-second-factor data-csrf="${browser.csrfToken(c)}"${passkeyMessages(t)}>${t('two_factor.passkey')}</button></p>` : ''}
<p><a href="/auth/sign_in">${t('two_factor.restart')}</a></p>`,
      { status, scripts: ['/static/passkey.js'] },
    );
  };

  routes.get('/auth/two_factor', async (c) => {
    const state = pending(c);
    if (!state) return c.redirect('/auth/sign_in', 303);
    return twoFactorForm(c, state.a);
  });

  routes.post('/auth/two_factor', async (c) => {
    browser.checkCsrf(c);
    const state = pending(c);
    if (!state) return c.redirect('/auth/sign_in', 303);
    const key = `second-factor:${state.a}`;
    try {
      await deps.throttle.check(key, c.var.clientIp);
      await deps.totp.verify(state.a, typeof c.var.body.code === 'string' ? c.var.body.code.slice(0, 40) : '');
    } catch (error) {
      if (error instanceof Unauthorized) {
        deps.throttle.recordFailure(key, c.var.clientIp);
        return twoFactorForm(c, state.a, error.publicMessage, 401);
      }
      if (error instanceof RateLimited) {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return twoFactorForm(c, state.a, error.publicMessage, 429);
      }
      throw error;
    }
    deps.throttle.recordSuccess(key, c.var.clientIp);
    browser.clearShortCookie(c, 'pending');
    await browser.start(c, state.a);
    return c.redirect(safeReturnPath(state.r), 303);
  });

  routes.post('/auth/sign_out', async (c) => {
    browser.checkCsrf(c);
    await browser.end(c);
    return c.redirect('/', 303);
  });

  return routes;
}
