import { Hono, type Context } from 'hono';
import type { Config } from '../../../config/index.ts';
import { findAccountById } from '../../../domain/accounts/accounts.repo.ts';
import { accountByAddress, aliasesOf, type AccountMigration, type AccountResolver } from '../../../domain/accounts/migration.ts';
import { apiActor } from '../../../domain/actor.ts';
import type { SignInThrottle } from '../../../domain/auth/sign-in-throttle.ts';
import type { TotpService } from '../../../domain/auth/totp.service.ts';
import { DomainError, Unauthorized } from '../../../domain/errors.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { textFor } from '../i18n/index.ts';
import { csrfField, field, notice, sendPage } from '../page.ts';
import { confirmIdentity } from './confirm-identity.ts';

/** What the moving page uses. */
export interface MigrationRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly migration: AccountMigration;
  readonly resolve: AccountResolver;
  readonly throttle: SignInThrottle;
  readonly totp: TotpService;
}

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 1000) : '');

/**
 * `/settings/migration`: moving an account, as Mastodon's settings offer it (the same commands as the API's
 * `/api/v1/accounts/aliases` and `/api/v1/accounts/migration`). Moving here: the member names the old
 * account among this one's aliases. Moving away: with the password (and the second factor, if on), this
 * account moves to one that names it; its followers follow along. The sign-in and CSRF checks of
 * `/settings/*` apply.
 */
export function migrationPageRoutes(deps: MigrationRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const page = async (c: Context<AppEnv>, message?: { text: string; kind: 'error' | 'info' }) => {
    const { account: stale, user } = c.var.session!;
    const account = (await findAccountById(deps.read, stale.id)) ?? stale;
    const { t } = textFor(c);
    const csrf = browser.csrfToken(c);
    const movedTo = account.moved_to_account_id ? await findAccountById(deps.read, account.moved_to_account_id) : undefined;
    const handle = (a: { username: string; domain: string | null }) => `@${a.username}@${a.domain ?? deps.config.domain}`;
    const aliases = aliasesOf(account);
    return sendPage(
      c,
      site,
      t('migration.title'),
      html`<h1>${t('migration.title')}</h1>
${message ? notice(message.text, message.kind) : ''}
<section aria-labelledby="h-from"><h2 id="h-from">${t('migration.from')}</h2>
<p>${t('migration.from_explain', { handle: handle(account) })}</p>
${
  aliases.length
    ? html`<ul class="aliases">${aliases.map(
        (uri) =>
          html`<li data-alias="${uri}"><code>${uri}</code> <form method="post" action="/settings/migration/aliases/remove" class="inline">${csrfField(csrf)}<input type="hidden" name="uri" value="${uri}"><button type="submit">${t('migration.remove')}</button></form></li>`,
      )}</ul>`
    : html`<p>${t('migration.no_aliases')}</p>`
}
<form method="post" action="/settings/migration/aliases">${csrfField(csrf)}
${field({ name: 'acct', label: t('migration.old_account'), required: true })}
<button type="submit">${t('migration.add_alias')}</button></form></section>
<section aria-labelledby="h-to"><h2 id="h-to">${t('migration.to')}</h2>
${
  movedTo
    ? html`<p class="info" role="status" data-moved-to="${movedTo.uri}">${t('migration.moved', { handle: handle(movedTo) })}</p>`
    : html`<p>${t('migration.to_explain')}</p>
<form method="post" action="/settings/migration/move">${csrfField(csrf)}
${field({ name: 'acct', label: t('migration.new_account'), required: true })}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password', required: true })}
${user.totp_enabled_at ? field({ name: 'code', label: t('delete.code'), autocomplete: 'one-time-code' }) : ''}
<p><button type="submit" class="danger">${t('migration.move')}</button></p></form>`
}</section>`,
      { status: message?.kind === 'error' ? 422 : 200 },
    );
  };

  /** Runs a command; a refusal (no such account, not an alias, moved too recently) is shown on the page. */
  const attempt = async (c: Context<AppEnv>, work: () => Promise<string>) => {
    try {
      return await page(c, { text: await work(), kind: 'info' });
    } catch (error) {
      if (error instanceof DomainError) return page(c, { text: describe(error), kind: 'error' });
      throw error;
    }
  };

  routes.use('/settings/migration/*', guard);
  routes.use('/settings/migration', guard);
  async function guard(c: Context<AppEnv>, next: () => Promise<void>) {
    if (!c.var.session) {
      if (c.req.method === 'GET') return c.redirect('/auth/sign_in?return_to=%2Fsettings%2Fmigration', 303);
      throw new Unauthorized('Sign in first');
    }
    if (c.req.method !== 'GET') browser.checkCsrf(c);
    return next();
  }

  routes.get('/settings/migration', (c) => page(c));
  routes.post('/settings/migration/aliases', (c) =>
    attempt(c, async () => {
      const other = await accountByAddress(deps.read, deps.resolve, text(c.var.body.acct), false);
      await deps.migration.addAlias(apiActor(c.var.session!.account), other);
      return textFor(c).t('migration.alias_added');
    }),
  );
  routes.post('/settings/migration/aliases/remove', (c) =>
    attempt(c, async () => {
      await deps.migration.removeAlias(apiActor(c.var.session!.account), text(c.var.body.uri));
      return textFor(c).t('migration.alias_removed');
    }),
  );
  routes.post('/settings/migration/move', async (c) => {
    const { account } = c.var.session!;
    const { t } = textFor(c);
    if (!(await confirmIdentity(deps, c, 'move'))) return page(c, { text: t('delete.wrong'), kind: 'error' });
    return attempt(c, async () => {
      // The new account is read from its server now: its aliases must name this account today.
      const target = await accountByAddress(deps.read, deps.resolve, text(c.var.body.acct), true);
      const moved = await deps.migration.move(apiActor(account), target, aliasesOf(target));
      return t('migration.done', { count: String(moved) });
    });
  });
  return routes;
}

/** A refusal in the member's words: the field's description when there is one. */
function describe(error: DomainError): string {
  const details = (error as { details?: Record<string, readonly { description: string }[]> }).details;
  const first = details ? Object.values(details)[0]?.[0]?.description : undefined;
  return first ? `${error.message}: ${first}` : error.message;
}
