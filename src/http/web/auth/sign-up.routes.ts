import { Hono, type Context } from 'hono';
import type { Services } from '../../../app/services.ts';
import { Forbidden, Invalid, RateLimited, Unavailable, type FieldProblem } from '../../../domain/errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { csrfField, field, notice, sendPage } from '../page.ts';

type Values = Record<string, string>;

/** The sign-up form with its proof of work, and the email confirmation link. */
export function signUpRoutes(services: Services, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { config } = services;
  const site = config.instance.name;
  const mode = config.registration.mode;

  const form = (c: Context<AppEnv>, values: Values, errors: Record<string, readonly FieldProblem[]> = {}, message?: string, status = 200) => {
    const err = (name: string) => errors[name]?.map((p) => p.description).join('; ');
    return sendPage(
      c,
      site,
      'Create an account',
      html`<h1>Create an account on ${site}</h1>
${notice(message)}
${mode === 'approval' ? html`<p class="info">New accounts on this server are reviewed by the moderators before they can be used.</p>` : ''}
<form method="post" action="/auth/sign_up" data-pow-bits="${services.proofOfWork.bits}">${csrfField(browser.csrfToken(c))}
${field({ name: 'username', label: 'Username', value: values.username, autocomplete: 'username', hint: 'Letters, numbers and underscores, up to 30 characters.', error: err('username') })}
${field({ name: 'email', label: 'Email address', type: 'email', value: values.email, autocomplete: 'email', error: err('email') })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters, and not a common password.', error: err('password') })}
${mode === 'approval' ? field({ name: 'reason', label: 'Why do you want to join?', value: values.reason, error: err('reason') }) : ''}
${mode === 'invite' || values.invite_code ? field({ name: 'invite_code', label: 'Invitation code', value: values.invite_code, error: err('invite_code') }) : ''}
${config.instance.rules.length ? html`<section aria-labelledby="rules-heading"><h2 id="rules-heading">Server rules</h2><ol class="rules">${config.instance.rules.map((r) => html`<li>${r}</li>`)}</ol></section>` : ''}
<p class="field"><label><input type="checkbox" name="agreement" value="1"${values.agreement ? html` checked` : ''}> I agree to the <a href="/about">server rules</a> and the privacy policy.</label>
${err('agreement') ? html`<small class="error">${err('agreement')}</small>` : ''}</p>
<input type="hidden" name="pow_challenge" value="${services.proofOfWork.challenge()}">
<input type="hidden" name="pow_nonce" value="">
<p><button type="submit">Create account</button></p>
<p class="note" data-pow-status>This form runs a short computation in your browser to keep bots out (JavaScript is needed).</p>
</form>
<p>Already have an account? <a href="/auth/sign_in">Sign in</a></p>`,
      { status, scripts: ['/static/pow.js'] },
    );
  };

  routes.get('/auth/sign_up', (c) => {
    if (mode === 'closed') return sendPage(c, site, 'Registrations closed', html`<h1>Registrations are closed</h1><p>${site} is not accepting new accounts right now.</p>`, { status: 403 });
    return form(c, { invite_code: c.req.query('invite') ?? '' });
  });

  routes.post('/auth/sign_up', async (c) => {
    browser.checkCsrf(c);
    const body = c.var.body;
    const text = (name: string, max: number) => (typeof body[name] === 'string' ? body[name].slice(0, max) : '');
    const values: Values = { username: text('username', 60), email: text('email', 300), reason: text('reason', 1000), invite_code: text('invite_code', 100), agreement: text('agreement', 5) };
    if (!services.proofOfWork.verify(text('pow_challenge', 500), text('pow_nonce', 20))) {
      return form(c, values, {}, 'The anti-bot check did not pass; wait for it to finish, then send the form again.', 400);
    }
    try {
      await services.registration.register({
        username: values.username!,
        email: values.email!,
        password: text('password', 1000),
        agreement: values.agreement === '1' || values.agreement === 'on',
        reason: values.reason || undefined,
        inviteCode: values.invite_code || undefined,
        ip: c.var.clientIp,
      });
    } catch (error) {
      if (error instanceof Invalid) return form(c, values, error.details, 'Please correct the problems below.', 422);
      if (error instanceof Forbidden) return form(c, values, {}, error.publicMessage, 403);
      if (error instanceof RateLimited) return form(c, values, {}, error.publicMessage, 429);
      if (error instanceof Unavailable) return form(c, values, {}, error.publicMessage, 503);
      throw error;
    }
    return sendPage(c, site, 'Check your email', html`<h1>Check your email</h1><p>We sent a message to <strong>${values.email}</strong>. Open the link in it to confirm your address and finish signing up.</p>`);
  });

  routes.get('/auth/confirmation', async (c) => {
    const token = c.req.query('token') ?? '';
    const confirmed = /^[\w-]{43}$/.test(token) && (await services.registration.confirmEmail(token));
    if (!confirmed) return sendPage(c, site, 'Link not valid', html`<h1>This link is not valid</h1><p>It may have expired or been used already.</p>`, { status: 400 });
    return sendPage(c, site, 'Email confirmed', html`<h1>Your email address is confirmed</h1><p><a href="/auth/sign_in">Sign in</a></p>`);
  });

  return routes;
}
