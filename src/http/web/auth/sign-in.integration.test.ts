import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../../lib/clock.ts';
import { totpCode } from '../../../lib/totp.ts';
import { manualClock, TestBrowser } from '../../../testing/browser.ts';
import { SoftAuthenticator } from '../../../testing/soft-authenticator.ts';
import { startTestServer, type TestServer } from '../../../testing/test-app.ts';
import { row, rows, setColumns } from '../../../testing/rows.ts';

const clock = manualClock();
let server: TestServer;
let app: { clientId: string; clientSecret: string };

before(async () => {
  server = await startTestServer({ STOA_TRUSTED_PROXIES: '127.0.0.1' }, { clock });
  for (const name of ['victim', 'bystander', 'totpuser', 'keyuser', 'leaver', 'resetter']) {
    await createLocalAccount(server.app.db, systemClock, server.config, {
      username: name,
      email: `${name}@example.org`,
      password: `${name} has a good password`,
      confirmed: true,
    });
  }
  const masto = createRestAPIClient({ url: server.url });
  const created = await masto.v1.apps.create({ clientName: 'CLI', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
  app = { clientId: created.clientId!, clientSecret: created.clientSecret! };
});
after(() => server.close());

function passwordGrant(username: string, password: string, ip: string) {
  return fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'x-forwarded-for': ip },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      username,
      password,
      scope: 'read',
    }),
  });
}

describe('sign-in throttling', () => {
  it('slows down and then refuses twenty wrong passwords from one address, while the owner signs in from another', async () => {
    const statuses: number[] = [];
    const waits: number[] = [];
    let failures = 0;
    while (failures < 20) {
      const res = await passwordGrant('victim', 'wrong password', '203.0.113.7');
      statuses.push(res.status);
      if (res.status === 400) {
        failures++;
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
        continue;
      }
      assert.equal(res.status, 429);
      const wait = Number(res.headers.get('retry-after'));
      waits.push(wait);
      await res.arrayBuffer();
      clock.advance(wait * 1000);
    }
    assert.deepEqual(statuses.slice(0, 5), [400, 400, 400, 400, 400], 'the first failures are answered at once');
    assert.ok(waits.length >= 14, 'each failure after the fifth had to wait');
    assert.ok(waits.at(-1)! > waits[0]!, `the waits grow: ${waits.join(', ')}`);
    // After twenty failures that address is refused for a while, even with the right password...
    clock.advance(10 * 60 * 1000);
    assert.equal((await passwordGrant('victim', 'victim has a good password', '203.0.113.7')).status, 429);
    // ...but nobody can lock the owner out: from another address the right password signs in at once.
    assert.equal((await passwordGrant('victim', 'victim has a good password', '203.0.113.8')).status, 200);
    // An IPv6 attacker is one attacker across its /64.
    for (let i = 0; i < 5; i++) await passwordGrant('bystander', 'wrong password', `2001:db8:1:2::${i + 1}`);
    assert.equal((await passwordGrant('bystander', 'wrong password', '2001:db8:1:2:ffff::9')).status, 429);
    assert.equal((await passwordGrant('bystander', 'bystander has a good password', '2001:db8:1:3::1')).status, 200);
  });

  it('answers an unknown login like a wrong password, down to the throttle', async () => {
    const unknown = await passwordGrant('nobody-here', 'whatever password', '198.51.100.60');
    const wrong = await passwordGrant('bystander', 'whatever password', '198.51.100.61');
    assert.equal(unknown.status, wrong.status);
    assert.deepEqual(await unknown.json(), await wrong.json());
  });
});

describe('two-factor authentication with TOTP', () => {
  it('turns on from the settings, then signs in with a code, and a recovery code works once', async () => {
    const browser = new TestBrowser(server.url);
    assert.equal((await browser.signIn('totpuser', 'totpuser has a good password')).status, 303);
    const settings = await browser.page('/settings/security');
    const setup = await browser.post('/settings/two_factor/setup', { _csrf: settings.csrf });
    const setupHtml = await setup.text();
    const secret = /data-totp-secret>([A-Z2-7]+)</.exec(setupHtml)?.[1];
    assert.ok(secret);
    assert.match(setupHtml, /<img src="data:image\/png;base64,/);
    const confirm = await browser.post('/settings/two_factor/confirm', { _csrf: settings.csrf, code: totpCode(secret, clock()) });
    const codes = [...(await confirm.text()).matchAll(/<li><code>([0-9a-f]{6}-[0-9a-f]{6})<\/code><\/li>/g)].map((m) => m[1]!);
    assert.equal(codes.length, 10);

    // The password grant is closed to accounts with a second factor.
    const grant = await passwordGrant('totpuser', 'totpuser has a good password', '198.51.100.70');
    assert.equal(grant.status, 400);
    assert.match(((await grant.json()) as { error_description: string }).error_description, /second factor/);

    clock.advance(60_000);
    const fresh = new TestBrowser(server.url);
    const step1 = await fresh.signIn('totpuser', 'totpuser has a good password');
    assert.equal(step1.headers.get('location'), '/auth/two_factor');
    const twoFactor = await fresh.page('/auth/two_factor');
    assert.equal((await fresh.post('/auth/two_factor', { _csrf: twoFactor.csrf, code: '000000' })).status, 401);
    const ok = await fresh.post('/auth/two_factor', { _csrf: twoFactor.csrf, code: totpCode(secret, clock()) });
    assert.equal(ok.status, 303);
    assert.equal((await fresh.page('/settings/security')).status, 200);

    const withRecovery = async () => {
      const b = new TestBrowser(server.url);
      await b.signIn('totpuser', 'totpuser has a good password');
      const page = await b.page('/auth/two_factor');
      return (await b.post('/auth/two_factor', { _csrf: page.csrf, code: codes[3]! })).status;
    };
    assert.equal(await withRecovery(), 303);
    assert.equal(await withRecovery(), 401, 'a recovery code works only once');
  });
});

describe('passkeys', () => {
  it('registers a passkey from the settings and signs in with it, with no password', async () => {
    const authenticator = new SoftAuthenticator();
    const browser = new TestBrowser(server.url);
    await browser.signIn('keyuser', 'keyuser has a good password');
    const settings = await browser.page('/settings/security');
    const options = (await (await browser.postJson('/settings/passkeys/options', {}, settings.csrf)).json()) as any;
    const registered = await browser.postJson(
      '/settings/passkeys',
      { name: 'Test key', credential: authenticator.create(options, 'http://stoa.test') },
      settings.csrf,
    );
    assert.equal(registered.status, 200, await registered.clone().text());
    assert.match((await browser.page('/settings/security')).html, /Test key/);

    const visitor = new TestBrowser(server.url);
    const signInPage = await visitor.page('/auth/sign_in');
    const authOptions = (await (await visitor.postJson('/auth/passkey/options', {}, signInPage.csrf)).json()) as any;
    const result = await visitor.postJson(
      '/auth/passkey',
      { credential: authenticator.get(authOptions, 'http://stoa.test') },
      signInPage.csrf,
    );
    assert.equal(result.status, 200, await result.clone().text());
    assert.deepEqual(await result.json(), { redirect: '/' });
    assert.equal((await visitor.page('/settings/security')).status, 200, 'the passkey signed the browser in');

    // A passkey answer for another origin is refused.
    const stranger = new TestBrowser(server.url);
    const page = await stranger.page('/auth/sign_in');
    const strangerOptions = (await (await stranger.postJson('/auth/passkey/options', {}, page.csrf)).json()) as any;
    const phished = await stranger.postJson(
      '/auth/passkey',
      { credential: authenticator.get(strangerOptions, 'https://evil.example') },
      page.csrf,
    );
    assert.equal(phished.status, 401);

    // With a passkey, the password alone is not enough.
    const twoStep = new TestBrowser(server.url);
    assert.equal((await twoStep.signIn('keyuser', 'keyuser has a good password')).headers.get('location'), '/auth/two_factor');
  });
});

describe('password reset', () => {
  it('answers a known and an unknown address identically', async () => {
    const browser = new TestBrowser(server.url);
    const { csrf } = await browser.page('/auth/password');
    const known = await browser.post('/auth/password', { _csrf: csrf, email: 'resetter@example.org' });
    const unknown = await browser.post('/auth/password', { _csrf: csrf, email: 'nobody@example.org' });
    assert.equal(known.status, unknown.status);
    assert.equal(await known.text(), await unknown.text());
  });
});

describe('deleting an account', () => {
  it('removes its rows for real and its tokens stop working at once', async () => {
    const tokenRes = await passwordGrant('leaver', 'leaver has a good password', '198.51.100.80');
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const masto = createRestAPIClient({ url: server.url, accessToken: token });
    const me = await masto.v1.accounts.verifyCredentials();

    const browser = new TestBrowser(server.url);
    await browser.signIn('leaver', 'leaver has a good password');
    const page = await browser.page('/settings/delete');
    assert.equal((await browser.post('/settings/delete', { _csrf: page.csrf, password: 'not my password' })).status, 403);
    const done = await browser.post('/settings/delete', { _csrf: page.csrf, password: 'leaver has a good password' });
    assert.equal(done.status, 200);

    await assert.rejects(masto.v1.accounts.verifyCredentials(), (e: any) => e.statusCode === 401);
    assert.equal((await fetch(`${server.url}/api/v1/accounts/${me.id}`)).status, 404);
    for (const table of ['users', 'sessions', 'oauth_tokens', 'passkeys', 'recovery_codes', 'email_tokens'] as const) {
      assert.deepEqual(await rows(server.app.db, table, { account_id: me.id }), [], `${table} rows are gone`);
    }
    assert.equal(await row(server.app.db, 'accounts', { id: me.id }), undefined);
    assert.equal((await browser.get('/settings/security')).status, 303, 'the session is gone too');
  });
});

describe('roles', () => {
  it('are raised only by an admin with a second factor, never by oneself', async () => {
    const db = server.app.db;
    const idOf = async (username: string) => (await row(db, 'accounts', { username }))!.id;
    await createLocalAccount(db, systemClock, server.config, {
      username: 'boss',
      email: 'boss@example.org',
      password: 'boss has a good password',
      confirmed: true,
      role: 'admin',
    });
    await createLocalAccount(db, systemClock, server.config, {
      username: 'climber',
      email: 'climber@example.org',
      password: 'climber has a good password',
      confirmed: true,
    });
    const climberId = await idOf('climber');
    const bossId = await idOf('boss');

    const climber = new TestBrowser(server.url);
    await climber.signIn('climber', 'climber has a good password');
    const own = await climber.page('/settings/security');
    assert.equal(
      (await climber.post(`/admin/accounts/${climberId}/role`, { _csrf: own.csrf, role: 'admin' })).status,
      403,
      'a user cannot raise their own role',
    );

    const boss = new TestBrowser(server.url);
    await boss.signIn('boss', 'boss has a good password');
    const page = await boss.page('/settings/security');
    assert.equal(
      (await boss.post(`/admin/accounts/${climberId}/role`, { _csrf: page.csrf, role: 'moderator' })).status,
      403,
      'an admin without a second factor cannot',
    );

    // The factor is checked when the change is made, on the same session.
    await setColumns(db, 'users', { account_id: bossId }, { totp_enabled_at: new Date().toISOString() });
    const session = await boss.page('/settings/security');
    assert.equal((await boss.post(`/admin/accounts/${climberId}/role`, { _csrf: session.csrf, role: 'moderator' })).status, 303);
    const role = (await row(db, 'users', { account_id: climberId }))?.role;
    assert.equal(role, 'moderator');
    assert.equal((await boss.post(`/admin/accounts/${bossId}/role`, { _csrf: session.csrf, role: 'user' })).status, 403, 'nor their own');
  });
});

describe('token lifetime', () => {
  it('expires access tokens after seven days; the refresh token renews them', async () => {
    const res = await passwordGrant('bystander', 'bystander has a good password', '198.51.100.90');
    const body = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number };
    assert.equal(body.expires_in, 7 * 86400);
    const me = (token: string) =>
      fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await me(body.access_token), 200);
    clock.advance(7 * 86400 * 1000 + 1000);
    assert.equal(await me(body.access_token), 401);
    const refreshed = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: body.refresh_token,
      }),
    });
    assert.equal(refreshed.status, 200);
    assert.equal(await me(((await refreshed.json()) as { access_token: string }).access_token), 200);
  });
});
