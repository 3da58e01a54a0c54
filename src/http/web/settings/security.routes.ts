import { Hono, type Context } from 'hono';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import QRCode from 'qrcode';
import type { Services } from '../../../app/services.ts';
import { deleteAccount } from '../../../domain/accounts/accounts.service.ts';
import { NotFound, Unauthorized } from '../../../domain/errors.ts';
import { verifyPassword } from '../../../lib/password-hash.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSession, BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { HttpError } from '../../shared/http-error.ts';
import { csrfField, field, notice, sendPage } from '../page.ts';

const CEREMONY_TTL_MS = 5 * 60 * 1000;

/**
 * The security settings of the signed-in account: sessions and authorized apps (with revoke), two-factor
 * authentication, passkeys, and deleting the account. Every change is a POST with a CSRF token, and every
 * id is looked up within the signed-in account only (someone else's id is a 404).
 */
export function securityRoutes(services: Services, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { db, config } = services;
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
    const sessions = await services.sessions.list(account.id);
    const apps = await authorizedApps(account.id);
    const passkeys = await services.passkeys.list(account.id);
    const csrf = browser.csrfToken(c);
    const post = (action: string, label: string) => html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}<button type="submit">${label}</button></form>`;
    return sendPage(
      c,
      site,
      'Security',
      html`<h1>Security</h1>
<section aria-labelledby="h-sessions"><h2 id="h-sessions">Signed-in browsers</h2><ul>
${sessions.map((s) => html`<li data-session="${s.id}">${s.user_agent || 'Unknown browser'} · ${s.ip} · last seen ${s.last_seen_at.slice(0, 16).replace('T', ' ')}${s.id === currentId ? ' (this browser)' : html` ${post(`/settings/sessions/${s.id}/revoke`, 'Sign out')}`}</li>`)}
</ul>${post('/settings/sessions/revoke_all', 'Sign out everywhere')}</section>
<section aria-labelledby="h-apps"><h2 id="h-apps">Authorized apps</h2>
${apps.length ? html`<ul>${apps.map((a) => html`<li data-app="${a.id}">${a.name} · <code>${a.scopes}</code> ${post(`/settings/apps/${a.id}/revoke`, 'Revoke')}</li>`)}</ul>` : html`<p>No apps.</p>`}</section>
<section aria-labelledby="h-2fa"><h2 id="h-2fa">Two-factor authentication</h2>
${user.totp_enabled_at
  ? html`<p>An authenticator app is set up.</p><form method="post" action="/settings/two_factor/disable">${csrfField(csrf)}${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' })}<button type="submit">Turn off</button></form>`
  : post('/settings/two_factor/setup', 'Set up an authenticator app')}</section>
<section aria-labelledby="h-passkeys"><h2 id="h-passkeys">Passkeys</h2>
<ul>${passkeys.map((p) => html`<li data-passkey="${p.id}">${p.name} · added ${p.created_at.slice(0, 10)} ${post(`/settings/passkeys/${p.id}/delete`, 'Remove')}</li>`)}</ul>
<p><button type="button" data-passkey-register data-csrf="${csrf}">Add a passkey</button></p></section>
<section aria-labelledby="h-delete"><h2 id="h-delete">Delete account</h2><p><a href="/settings/delete">Delete your account and everything in it</a></p></section>`,
      { scripts: ['/static/passkey.js'] },
    );
  });

  async function authorizedApps(accountId: string) {
    return db.read
      .selectFrom('oauth_tokens')
      .innerJoin('oauth_apps', 'oauth_apps.id', 'oauth_tokens.app_id')
      .select(['oauth_apps.id', 'oauth_apps.name', 'oauth_tokens.scopes'])
      .where('oauth_tokens.account_id', '=', accountId)
      .groupBy(['oauth_apps.id', 'oauth_apps.name', 'oauth_tokens.scopes'])
      .execute();
  }

  routes.post('/settings/sessions/:id/revoke', async (c) => {
    const { account } = me(c);
    const id = c.req.param('id');
    const own = (await services.sessions.list(account.id)).some((s) => s.id === id);
    if (!own) throw new NotFound();
    await services.sessions.destroyById(account.id, id);
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/sessions/revoke_all', async (c) => {
    await services.sessions.destroyAll(me(c).account.id);
    await browser.end(c);
    return c.redirect('/auth/sign_in', 303);
  });

  routes.post('/settings/apps/:id/revoke', async (c) => {
    const { account } = me(c);
    const removed = await db.transaction((tx) => tx.deleteFrom('oauth_tokens').where('account_id', '=', account.id).where('app_id', '=', c.req.param('id')).executeTakeFirst());
    if (Number(removed.numDeletedRows) === 0) throw new NotFound();
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/two_factor/setup', async (c) => {
    const { account } = me(c);
    const { secret, uri } = await services.totp.begin(account.id, `${account.username}@${config.domain}`, site);
    const qr = await QRCode.toDataURL(uri, { margin: 1, width: 240 });
    return sendPage(
      c,
      site,
      'Set up two-factor authentication',
      html`<h1>Set up two-factor authentication</h1>
<p>Scan this code with an authenticator app, or enter the key by hand.</p>
<p><img src="${qr}" alt="QR code for your authenticator app" width="240" height="240"></p>
<p>Key: <code data-totp-secret>${secret}</code></p>
<form method="post" action="/settings/two_factor/confirm">${csrfField(browser.csrfToken(c))}
${field({ name: 'code', label: 'Code shown by the app', autocomplete: 'one-time-code' })}
<p><button type="submit">Turn on</button></p></form>`,
    );
  });

  routes.post('/settings/two_factor/confirm', async (c) => {
    const codes = await services.totp.confirm(me(c).account.id, typeof c.var.body.code === 'string' ? c.var.body.code : '');
    return sendPage(
      c,
      site,
      'Recovery codes',
      html`<h1>Two-factor authentication is on</h1>
<p>Keep these recovery codes somewhere safe. Each works once, if you lose your device. They are shown only now.</p>
<ul class="recovery-codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p><a href="/settings/security">Back to security settings</a></p>`,
    );
  });

  routes.post('/settings/two_factor/disable', async (c) => {
    const { account, user } = me(c);
    if (!(await verifyPassword(textField(c.var.body.password), user.password_hash))) throw new HttpError(403, 'The password is not correct');
    await services.totp.disable(account.id);
    return c.redirect('/settings/security', 303);
  });

  routes.post('/settings/passkeys/options', async (c) => {
    const { account } = me(c);
    const options = await services.passkeys.registrationOptions(account.id, account.username);
    browser.setShortCookie(c, 'webauthn', services.signers.webauthn.sign({ c: options.challenge, a: account.id, k: 'register' }, CEREMONY_TTL_MS), CEREMONY_TTL_MS / 1000);
    c.header('Cache-Control', 'no-store');
    return c.json(options);
  });

  routes.post('/settings/passkeys', async (c) => {
    const { account } = me(c);
    const ceremony = services.signers.webauthn.verify<{ c: string; a: string; k: string }>(browser.readShortCookie(c, 'webauthn'));
    if (!ceremony || ceremony.k !== 'register' || ceremony.a !== account.id) throw new HttpError(400, 'The passkey request has expired; try again');
    browser.clearShortCookie(c, 'webauthn');
    const credential = c.var.body.credential as unknown as RegistrationResponseJSON | undefined;
    if (!credential || typeof credential !== 'object') throw new HttpError(400, 'credential is required');
    const row = await services.passkeys.register(account.id, typeof c.var.body.name === 'string' ? c.var.body.name : 'Passkey', credential, ceremony.c);
    return c.json({ id: row.id, name: row.name });
  });

  routes.post('/settings/passkeys/:id/delete', async (c) => {
    const { account } = me(c);
    const id = c.req.param('id');
    if (!(await services.passkeys.list(account.id)).some((p) => p.id === id)) throw new NotFound();
    await services.passkeys.remove(account.id, id);
    return c.redirect('/settings/security', 303);
  });

  routes.get('/settings/delete', (c) =>
    sendPage(
      c,
      site,
      'Delete your account',
      html`<h1>Delete your account</h1>
<p>This removes your profile, posts, sessions, apps and keys from this server for good. It cannot be undone.</p>
<form method="post" action="/settings/delete">${csrfField(browser.csrfToken(c))}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' })}
${me(c).user.totp_enabled_at ? field({ name: 'code', label: 'Two-factor code', autocomplete: 'one-time-code' }) : ''}
<p><button type="submit" class="danger">Delete my account</button></p></form>`,
    ),
  );

  routes.post('/settings/delete', async (c) => {
    const { account, user } = me(c);
    const key = `delete:${account.id}`;
    await services.throttle.check(key, c.var.clientIp);
    const passwordOk = await verifyPassword(textField(c.var.body.password), user.password_hash);
    const codeOk = !user.totp_enabled_at || (await services.totp.verify(account.id, textField(c.var.body.code)).then(() => true, () => false));
    if (!passwordOk || !codeOk) {
      services.throttle.recordFailure(key);
      return sendPage(c, site, 'Delete your account', html`<h1>Delete your account</h1>${notice('The password or code is not correct.')}<p><a href="/settings/delete">Try again</a></p>`, { status: 403 });
    }
    await deleteAccount(db, account.id, { flushMedia: services.media.flush, changes: services.changes });
    await browser.end(c);
    return sendPage(c, site, 'Account deleted', html`<h1>Your account is deleted</h1><p>Everything it held has been removed from this server.</p>`);
  });

  routes.get('/settings/export', (c) =>
    sendPage(c, site, 'Export', html`<h1>Export your data</h1><p>Exporting your posts, follows and lists as CSV files is not available yet on this server.</p>`, { status: 501 }),
  );

  return routes;
}

function textField(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 1000) : '';
}
