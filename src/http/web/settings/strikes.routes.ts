import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../../config/index.ts';
import { warningsOf } from '../../../domain/moderation/moderation.repo.ts';
import { MODERATION_LIMITS, type ModerationService } from '../../../domain/moderation/moderation.service.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { Unauthorized } from '../../../domain/errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { validate } from '../../shared/input.ts';
import { textFor, type PageMessageKey } from '../i18n/index.ts';
import { csrfField, notice, sendPage } from '../page.ts';

const AppealInput = z.object({ text: z.string().trim().min(1).max(MODERATION_LIMITS.appeal) }).loose();

/** What the strikes page uses. */
export interface StrikesRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly moderation: ModerationService;
}

/**
 * `/settings/strikes`: the member's strikes (what the moderators did about the account, and why), each with
 * its one appeal. The sign-in and CSRF checks of `/settings/*` apply.
 */
export function strikesRoutes(deps: StrikesRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const page = async (c: Context<AppEnv>, message?: { text: string; kind: 'error' | 'info' }) => {
    const { account } = c.var.session!;
    const { t, locale } = textFor(c);
    const csrf = browser.csrfToken(c);
    const strikes = await warningsOf(deps.read, account.id);
    const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
    return sendPage(
      c,
      site,
      t('strikes.title'),
      html`<h1>${t('strikes.title')}</h1>
<p>${t('strikes.intro')}</p>
${message ? notice(message.text, message.kind) : ''}
${
  strikes.length === 0
    ? html`<p>${t('strikes.none')}</p>`
    : html`<ol class="strikes">${strikes.map(
        (s) => html`<li data-strike="${s.id}"><h2>${t(`strikes.action.${s.action}` as PageMessageKey)}</h2>
<p><time datetime="${s.created_at}">${when(s.created_at)}</time></p>
<p>${s.text ? t('strikes.reason', { text: s.text }) : t('strikes.no_reason')}</p>
${
  s.appeal_state
    ? html`<p class="appeal-state">${t(`strikes.appeal.${s.appeal_state}` as PageMessageKey)}</p>`
    : html`<form method="post" action="/settings/strikes/${s.id}/appeal">${csrfField(csrf)}
<p class="field"><label for="appeal-${s.id}">${t('strikes.appeal_label')}</label>
<textarea id="appeal-${s.id}" name="text" required maxlength="${MODERATION_LIMITS.appeal}" rows="4"></textarea></p>
<button type="submit">${t('strikes.appeal')}</button></form>`
}</li>`,
      )}</ol>`
}`,
      { status: message?.kind === 'error' ? 422 : 200 },
    );
  };

  routes.use('/settings/strikes/*', async (c: Context<AppEnv>, next) => {
    if (!c.var.session) {
      if (c.req.method === 'GET') return c.redirect('/auth/sign_in?return_to=%2Fsettings%2Fstrikes', 303);
      throw new Unauthorized('Sign in first');
    }
    if (c.req.method !== 'GET') browser.checkCsrf(c);
    return next();
  });
  routes.get('/settings/strikes', (c) => (c.var.session ? page(c) : c.redirect('/auth/sign_in?return_to=%2Fsettings%2Fstrikes', 303)));
  routes.post('/settings/strikes/:id/appeal', async (c) => {
    const { account } = c.var.session!;
    const { t } = textFor(c);
    const input = validate(AppealInput, c.var.body);
    await deps.moderation.appeal(account, c.req.param('id'), input.text);
    return page(c, { text: t('strikes.appeal_sent'), kind: 'info' });
  });
  return routes;
}
