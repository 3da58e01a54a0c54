import type { Config } from '../../../config/index.ts';
import type { RegistrationService } from '../../../domain/accounts/registration.service.ts';
import type { ProofOfWork } from '../../../domain/auth/proof-of-work.ts';
import { Hono, type Context } from 'hono';
import { Forbidden, Invalid, RateLimited, Unavailable, type FieldProblem } from '../../../domain/errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { csrfField, field, notice, sendPage } from '../page.ts';
import { textFor } from '../i18n/index.ts';

type Values = Record<string, string>;

/** The sign-up form with its proof of work, and the email confirmation link. */
/** What these routes use. */
export interface SignUpRouteDeps {
  readonly config: Config;
  readonly registration: RegistrationService;
  readonly proofOfWork: ProofOfWork;
}

export function signUpRoutes(deps: SignUpRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { config } = deps;
  const site = config.instance.name;
  const mode = config.registration.mode;

  const form = (
    c: Context<AppEnv>,
    values: Values,
    errors: Record<string, readonly FieldProblem[]> = {},
    message?: string,
    status = 200,
  ) => {
    const err = (name: string) => errors[name]?.map((p) => p.description).join('; ');
    const { t, tHtml } = textFor(c);
    return sendPage(
      c,
      site,
      t('sign_up.title'),
      html`<h1>${t('sign_up.heading', { site })}</h1>
${notice(message)}
${mode === 'approval' ? html`<p class="info">${t('sign_up.approval')}</p>` : ''}
<form method="post" action="/auth/sign_up" data-pow-bits="${deps.proofOfWork.bits}">${csrfField(browser.csrfToken(c))}
${field({ name: 'username', label: t('sign_up.username'), value: values.username, autocomplete: 'username', hint: t('sign_up.username_hint'), error: err('username') })}
${field({ name: 'email', label: t('field.email'), type: 'email', value: values.email, autocomplete: 'email', error: err('email') })}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'new-password', hint: t('sign_up.password_hint'), error: err('password') })}
${mode === 'approval' ? field({ name: 'reason', label: t('sign_up.reason'), value: values.reason, error: err('reason') }) : ''}
${mode === 'invite' || values.invite_code ? field({ name: 'invite_code', label: t('sign_up.invite'), value: values.invite_code, error: err('invite_code') }) : ''}
${config.instance.rules.length ? html`<section aria-labelledby="rules-heading"><h2 id="rules-heading">${t('sign_up.rules')}</h2><ol class="rules">${config.instance.rules.map((r) => html`<li>${r}</li>`)}</ol></section>` : ''}
<p class="field"><label><input type="checkbox" name="agreement" value="1"${values.agreement ? html` checked` : ''}> ${tHtml('sign_up.agreement', { rules: html`<a href="/about">${t('sign_up.agreement_rules')}</a>` })}</label>
${err('agreement') ? html`<small class="error">${err('agreement')}</small>` : ''}</p>
<input type="hidden" name="pow_challenge" value="${deps.proofOfWork.challenge()}">
<input type="hidden" name="pow_nonce" value="">
<p><button type="submit">${t('sign_up.submit')}</button></p>
<p class="note" data-pow-status data-running="${t('sign_up.pow_running')}" data-ready="${t('sign_up.pow_ready')}">${t('sign_up.pow')}</p>
</form>
<p>${t('sign_up.have_account')} <a href="/auth/sign_in">${t('sign_in.submit')}</a></p>`,
      { status, scripts: ['/static/pow.js'] },
    );
  };

  routes.get('/auth/sign_up', (c) => {
    const { t } = textFor(c);
    if (mode === 'closed')
      return sendPage(
        c,
        site,
        t('sign_up.closed_title'),
        html`<h1>${t('sign_up.closed_heading')}</h1><p>${t('sign_up.closed', { site })}</p>`,
        { status: 403 },
      );
    return form(c, { invite_code: c.req.query('invite') ?? '' });
  });

  routes.post('/auth/sign_up', async (c) => {
    browser.checkCsrf(c);
    const body = c.var.body;
    const text = (name: string, max: number) => (typeof body[name] === 'string' ? body[name].slice(0, max) : '');
    const values: Values = {
      username: text('username', 60),
      email: text('email', 300),
      reason: text('reason', 1000),
      invite_code: text('invite_code', 100),
      agreement: text('agreement', 5),
    };
    const { t, tHtml } = textFor(c);
    if (!deps.proofOfWork.verify(text('pow_challenge', 500), text('pow_nonce', 20))) {
      return form(c, values, {}, t('sign_up.pow_failed'), 400);
    }
    try {
      await deps.registration.register({
        username: values.username!,
        email: values.email!,
        password: text('password', 1000),
        agreement: values.agreement === '1' || values.agreement === 'on',
        reason: values.reason || undefined,
        inviteCode: values.invite_code || undefined,
        ip: c.var.clientIp,
      });
    } catch (error) {
      if (error instanceof Invalid) return form(c, values, error.details, t('form.correct'), 422);
      if (error instanceof Forbidden) return form(c, values, {}, error.publicMessage, 403);
      if (error instanceof RateLimited) return form(c, values, {}, error.publicMessage, 429);
      if (error instanceof Unavailable) return form(c, values, {}, error.publicMessage, 503);
      throw error;
    }
    return sendPage(
      c,
      site,
      t('sign_up.check_title'),
      html`<h1>${t('sign_up.check_title')}</h1><p>${tHtml('sign_up.check', { email: html`<strong>${values.email}</strong>` })}</p>`,
    );
  });

  routes.get('/auth/confirmation', async (c) => {
    const token = c.req.query('token') ?? '';
    const confirmed = /^[\w-]{43}$/.test(token) && (await deps.registration.confirmEmail(token));
    const { t } = textFor(c);
    if (!confirmed)
      return sendPage(c, site, t('link.invalid_title'), html`<h1>${t('link.invalid_heading')}</h1><p>${t('link.invalid')}</p>`, {
        status: 400,
      });
    return sendPage(
      c,
      site,
      t('confirm.title'),
      html`<h1>${t('confirm.heading')}</h1><p><a href="/auth/sign_in">${t('sign_in.submit')}</a></p>`,
    );
  });

  return routes;
}
