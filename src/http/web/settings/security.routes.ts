import type { Config } from '../../../config/index.ts';
import { apiActor } from '../../../domain/actor.ts';
import type { AccountService } from '../../../domain/accounts/accounts.service.ts';
import { authorizedApps, revokeAppTokens } from '../../../domain/auth/apps.service.ts';
import type { PasskeyService } from '../../../domain/auth/passkeys.service.ts';
import type { SessionService } from '../../../domain/auth/sessions.service.ts';
import type { SignInThrottle } from '../../../domain/auth/sign-in-throttle.ts';
import type { TotpService } from '../../../domain/auth/totp.service.ts';
import type { Signer } from '../../../lib/signed-value.ts';
import type { RateLimiter } from '../../../storage/cache/rate-limiter.ts';
import type { Db } from '../../../storage/db/database.ts';
import { Hono, type Context } from 'hono';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import QRCode from 'qrcode';
import { exportFile, EXPORT_KINDS, type ExportKind } from '../../../domain/accounts/export.ts';
import { NotFound, RateLimited, Unauthorized } from '../../../domain/errors.ts';
import { verifyPassword } from '../../../lib/password-hash.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSession, BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { HttpError } from '../../shared/http-error.ts';
import { csrfField, field, notice, passkeyMessages, sendPage } from '../page.ts';
import { confirmIdentity } from './confirm-identity.ts';
import { textFor, type PageMessageKey } from '../i18n/index.ts';

const CEREMONY_TTL_MS = 5 * 60 * 1000;
const EXPORTS_PER_HOUR = 30;

/**
 * The security settings of the signed-in account: sessions and authorized apps (with revoke), two-factor
 * authentication, passkeys, exporting its data, and deleting the account. Every change is a POST with a CSRF token, and every
 * id is looked up within the signed-in account only (someone else's id is a 404).
 */
/** What these routes use. */
export interface SecurityRouteDeps {
  readonly config: Config;
  readonly db: Db;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  readonly passkeys: PasskeyService;
  readonly totp: TotpService;
  readonly throttle: SignInThrottle;
  readonly limiter: RateLimiter;
  readonly signers: { readonly webauthn: Signer };
}

export function securityRoutes(deps: SecurityRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { db, config } = deps;
  const site = config.instance.name;

  routes.use('/settings/*', async (c: Context<AppEnv>, next) => {
    if (!c.var.session) {
      if (c.req.method === 'GET') return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
      throw new Unauthorized('Sign in first');
    }
    if (c.req.method !== 'GET') browser.checkCsrf(c);
    return next();
  });
  const me = (c: Context<AppEnv>): BrowserSession => c.var.session!;

  routes.get('/settings/security', async (c) => {
    const { account, user, id: currentId } = me(c);
    const sessions = await deps.sessions.list(account.id);
    const apps = await authorizedApps(db.read, account.id);
    const passkeys = await deps.passkeys.list(account.id);
    const csrf = browser.csrfToken(c);
    const { t, locale } = textFor(c);
    const when = (iso: string, style: Intl.DateTimeFormatOptions) =>
      new Intl.DateTimeFormat(locale, { ...style, timeZone: 'UTC' }).format(new Date(iso));
    const post = (action: string, label: string) =>
      html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}<button type="submit">${label}</button></form>`;
    return sendPage(
      c,
      site,
      t('security.title'),
      html`<h1>${t('security.title')}</h1>
<section aria-labelledby="h-sessions"><h2 id="h-sessions">${t('security.sessions')}</h2><ul>
${sessions.map((s) => html`<li data-session="${s.id}">${s.user_agent || t('security.unknown_browser')} · ${s.ip} · ${t('security.last_seen', { time: when(s.last_seen_at, { dateStyle: 'medium', timeStyle: 'short' }) })}${s.id === currentId ? ` ${t('security.this_browser')}` : html` ${post(`/settings/sessions/${s.id}/revoke`, t('security.sign_out'))}`}</li>`)}
</ul>${post('/settings/sessions/revoke_all', t('security.sign_out_all'))}</section>
<section aria-labelledby="h-apps"><h2 id="h-apps">${t('security.apps')}</h2>
${apps.length ? html`<ul>${apps.map((a) => html`<li data-app="${a.id}">${a.name} · <code>${a.scopes}</code> ${post(`/settings/apps/${a.id}/revoke`, t('security.revoke'))}</li>`)}</ul>` : html`<p>${t('security.no_apps')}</p>`}</section>
<section aria-labelledby="h-2fa"><h2 id="h-2fa">${t('security.two_factor')}</h2>
${
  user.totp_enabled_at
    ? html`<p>${t('security.totp_on')}</p><form method="post" action="/settings/two_factor/disable">${csrfField(csrf)}${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password' })}<button type="submit">${t('security.turn_off')}</button></form>`
    : post('/settings/two_factor/setup', t('security.totp_setup'))
}</section>
<section aria-labelledby="h-passkeys"><h2 id="h-passkeys">${t('security.passkeys')}</h2>
<ul>${passkeys.map((p) => html`<li data-passkey="${p.id}">${p.name} · ${t('security.passkey_added', { date: when(p.created_at, { dateStyle: 'medium' }) })} ${post(`/settings/passkeys/${p.id}/delete`, t('security.remove'))}</li>`)}</ul>
<p><button type="button" data-passkey-register data-csrf="${csrf}"${passkeyMessages(t)}>${t('security.add_passkey')}</button></p></section>
<section aria-labelledby="h-export"><h2 id="h-export">${t('security.export')}</h2><p><a href="/settings/export">${t('security.export_link')}</a></p>
<p><a href="/settings/migration">${t('security.migration_link')}</a></p></section>
<section aria-labelledby="h-delete"><h2 id="h-delete">${t('security.delete')}</h2><p><a href="/settings/delete">${t('security.delete_link')}</a></p></section>`,
      { scripts: ['/static/passkey.js'] },
    );
  });

  routes.post('/settings/sessions/:id/revoke', async (c) => {
    const { account } = me(c);
    const id = c.req.param('id');
    const own = (await deps.sessions.list(account.id)).some((s) => s.id === id);
    if (!own) throw new NotFound();
    await deps.sessions.destroyById(account.id, id);
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/sessions/revoke_all', async (c) => {
    await deps.sessions.destroyAll(me(c).account.id);
    await browser.end(c);
    return c.redirect('/auth/sign_in', 303);
  });

  routes.post('/settings/apps/:id/revoke', async (c) => {
    const { account } = me(c);
    if (!(await revokeAppTokens(db, account.id, c.req.param('id')))) throw new NotFound();
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/two_factor/setup', async (c) => {
    const { account } = me(c);
    const { secret, uri } = await deps.totp.begin(account.id, `${account.username}@${config.domain}`, site);
    const qr = await QRCode.toDataURL(uri, { margin: 1, width: 240 });
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('totp.title'),
      html`<h1>${t('totp.title')}</h1>
<p>${t('totp.scan')}</p>
<p><img src="${qr}" alt="${t('totp.qr_alt')}" width="240" height="240"></p>
<p>${t('totp.key')} <code data-totp-secret>${secret}</code></p>
<form method="post" action="/settings/two_factor/confirm">${csrfField(browser.csrfToken(c))}
${field({ name: 'code', label: t('totp.code'), autocomplete: 'one-time-code' })}
<p><button type="submit">${t('totp.turn_on')}</button></p></form>`,
    );
  });

  routes.post('/settings/two_factor/confirm', async (c) => {
    const codes = await deps.totp.confirm(me(c).account.id, typeof c.var.body.code === 'string' ? c.var.body.code : '');
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('totp.codes_title'),
      html`<h1>${t('totp.on_heading')}</h1>
<p>${t('totp.codes')}</p>
<ul class="recovery-codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p><a href="/settings/security">${t('totp.back')}</a></p>`,
    );
  });

  routes.post('/settings/two_factor/disable', async (c) => {
    const { account, user } = me(c);
    if (!(await verifyPassword(textField(c.var.body.password), user.password_hash)))
      throw new HttpError(403, 'The password is not correct');
    await deps.totp.disable(account.id);
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/passkeys/options', async (c) => {
    const { account } = me(c);
    const options = await deps.passkeys.registrationOptions(account.id, account.username);
    browser.setShortCookie(
      c,
      'webauthn',
      deps.signers.webauthn.sign({ c: options.challenge, a: account.id, k: 'register' }, CEREMONY_TTL_MS),
      CEREMONY_TTL_MS / 1000,
    );
    c.header('Cache-Control', 'no-store');
    return c.json(options);
  });

  routes.post('/settings/passkeys', async (c) => {
    const { account } = me(c);
    const ceremony = deps.signers.webauthn.verify<{ c: string; a: string; k: string }>(browser.readShortCookie(c, 'webauthn'));
    if (!ceremony || ceremony.k !== 'register' || ceremony.a !== account.id)
      throw new HttpError(400, 'The passkey request has expired; try again');
    browser.clearShortCookie(c, 'webauthn');
    const credential = c.var.body.credential as unknown as RegistrationResponseJSON | undefined;
    if (!credential || typeof credential !== 'object') throw new HttpError(400, 'credential is required');
    const row = await deps.passkeys.register(
      account.id,
      typeof c.var.body.name === 'string' ? c.var.body.name : 'Passkey',
      credential,
      ceremony.c,
    );
    return c.json({ id: row.id, name: row.name });
  });

  routes.post('/settings/passkeys/:id/delete', async (c) => {
    const { account } = me(c);
    const id = c.req.param('id');
    if (!(await deps.passkeys.list(account.id)).some((p) => p.id === id)) throw new NotFound();
    await deps.passkeys.remove(account.id, id);
    return c.redirect('/settings/security', 303);
  });

  routes.get('/settings/delete', (c) => {
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('delete.title'),
      html`<h1>${t('delete.title')}</h1>
<p>${t('delete.explain')}</p>
<form method="post" action="/settings/delete">${csrfField(browser.csrfToken(c))}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password' })}
${me(c).user.totp_enabled_at ? field({ name: 'code', label: t('delete.code'), autocomplete: 'one-time-code' }) : ''}
<p><button type="submit" class="danger">${t('delete.submit')}</button></p></form>`,
    );
  });

  routes.post('/settings/delete', async (c) => {
    const { account } = me(c);
    const { t } = textFor(c);
    if (!(await confirmIdentity(deps, c, 'delete'))) {
      return sendPage(
        c,
        site,
        t('delete.title'),
        html`<h1>${t('delete.title')}</h1>${notice(t('delete.wrong'))}<p><a href="/settings/delete">${t('delete.try_again')}</a></p>`,
        { status: 403 },
      );
    }
    await deps.accounts.delete(apiActor(account));
    await browser.end(c);
    return sendPage(c, site, t('delete.done_title'), html`<h1>${t('delete.done_heading')}</h1><p>${t('delete.done')}</p>`);
  });

  const exportLabels: Record<ExportKind, PageMessageKey> = {
    'outbox.json': 'export.posts',
    'following_accounts.csv': 'export.following',
    'blocked_accounts.csv': 'export.blocks',
    'muted_accounts.csv': 'export.mutes',
    'blocked_domains.csv': 'export.domain_blocks',
    'bookmarks.csv': 'export.bookmarks',
  };
  routes.get('/settings/export', (c) => {
    const { t } = textFor(c);
    return sendPage(
      c,
      site,
      t('export.title'),
      html`<h1>${t('export.title')}</h1><p>${t('export.explain')}</p>
<ul class="exports">${EXPORT_KINDS.map((kind) => html`<li><a href="/settings/export/${kind}" download>${t(exportLabels[kind])}</a></li>`)}</ul>
<p><a href="/settings/import">${t('export.import_link')}</a></p>`,
    );
  });

  routes.get('/settings/export/:file', async (c) => {
    const kind = c.req.param('file') as ExportKind;
    if (!EXPORT_KINDS.includes(kind)) throw new NotFound();
    const { account } = me(c);
    // Each export reads the whole list: a few an hour are plenty.
    const decision = await deps.limiter.hit(`export:${account.id}`, EXPORTS_PER_HOUR, 3600_000);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, 'Too many exports; try again later');
    const file = await exportFile(db.read, config, account.id, kind);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="${account.username}-${kind}"`);
    return c.body(file.body, 200, { 'Content-Type': file.type });
  });

  return routes;
}

function textField(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 1000) : '';
}
