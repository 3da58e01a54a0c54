import type { Config } from '../../../config/index.ts';
import type { RegistrationService } from '../../../domain/accounts/registration.service.ts';
import { Hono, type Context } from 'hono';
import { Invalid, RateLimited } from '../../../domain/errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { csrfField, field, notice, sendPage } from '../page.ts';
import { textFor } from '../i18n/index.ts';

/** Forgotten passwords: ask for a link by email (the same answer for any address), then set a new one. */
/** What these routes use. */
export interface PasswordRouteDeps {
  readonly config: Config;
  readonly registration: RegistrationService;
}

export function passwordRoutes(deps: PasswordRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const requestForm = (c: Context<AppEnv>, message?: string, status = 200) => {
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('password.title'),
      html`<h1>${t('password.title')}</h1>${notice(message, status === 200 ? 'info' : 'error')}
<form method="post" action="/auth/password">${csrfField(browser.csrfToken(c))}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete: 'email' })}
<p><button type="submit">${t('password.send')}</button></p></form>`,
      { status },
    );
  };

  const resetForm = (c: Context<AppEnv>, token: string, error?: string, status = 200) => {
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('password.new_title'),
      html`<h1>${t('password.new_title')}</h1>${notice(error)}
<form method="post" action="/auth/password/edit">${csrfField(browser.csrfToken(c))}
<input type="hidden" name="token" value="${token}">
${field({ name: 'password', label: t('password.new'), type: 'password', autocomplete: 'new-password' })}
<p><button type="submit">${t('password.set')}</button></p></form>`,
      { status },
    );
  };

  routes.get('/auth/password', (c) => requestForm(c));

  routes.post('/auth/password', async (c) => {
    browser.checkCsrf(c);
    const email = typeof c.var.body.email === 'string' ? c.var.body.email.slice(0, 300) : '';
    try {
      await deps.registration.requestPasswordReset(email, c.var.clientIp);
    } catch (error) {
      if (error instanceof RateLimited) return requestForm(c, error.publicMessage, 429);
      throw error;
    }
    return requestForm(c, textFor(c).t('password.sent'));
  });

  routes.get('/auth/password/edit', (c) => resetForm(c, c.req.query('token') ?? ''));

  routes.post('/auth/password/edit', async (c) => {
    browser.checkCsrf(c);
    const token = typeof c.var.body.token === 'string' ? c.var.body.token : '';
    const password = typeof c.var.body.password === 'string' ? c.var.body.password.slice(0, 1000) : '';
    const { t } = textFor(c);
    try {
      if (!/^[\w-]{43}$/.test(token) || !(await deps.registration.resetPassword(token, password))) {
        return sendPage(
          c,
          site,
          t('link.invalid_title'),
          html`<h1>${t('link.invalid_heading')}</h1><p>${t('link.invalid')} <a href="/auth/password">${t('password.ask_again')}</a></p>`,
          { status: 400 },
        );
      }
    } catch (error) {
      if (error instanceof Invalid)
        return resetForm(c, token, error.details.password?.map((p) => `Password ${p.description}`).join('; '), 422);
      throw error;
    }
    return sendPage(
      c,
      site,
      t('password.changed_title'),
      html`<h1>${t('password.changed_heading')}</h1><p>${t('password.changed')} <a href="/auth/sign_in">${t('sign_in.submit')}</a></p>`,
    );
  });

  return routes;
}
