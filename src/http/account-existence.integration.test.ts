import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../domain/accounts/accounts.service.ts';
import { systemClock } from '../lib/clock.ts';
import { clientCredentialsToken } from '../testing/accounts.ts';
import { TestBrowser } from '../testing/browser.ts';
import { apiProofOfWork } from '../testing/proof-of-work.ts';
import { startTestServer, type TestServer } from '../testing/test-app.ts';
import { until } from '../testing/until.ts';

// Whatever takes an email or a username must answer an attacker the same for an account that exists and
// one that does not: whole responses and headers are compared, including in throttled states.

let server: TestServer;
let app: { clientId: string; clientSecret: string };
let appToken: string;

before(async () => {
  server = await startTestServer(
    { STOA_TRUSTED_PROXIES: '127.0.0.1', STOA_API_RATE_LIMIT: '1500', STOA_API_RATE_LIMIT_ANONYMOUS: '300' },
    { workers: true },
  );
  await createLocalAccount(server.app.db, systemClock, server.config, {
    username: 'owner',
    email: 'owner@example.org',
    password: 'owner has a good password',
    confirmed: true,
  });
  const created = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Prober',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow',
  });
  app = { clientId: created.clientId!, clientSecret: created.clientSecret! };
  appToken = await clientCredentialsToken(server.url, created, 'read write follow');
});
after(() => server.close());

/** A response with what must not differ: status, headers (less the clock's and the request's own) and body. */
async function seen(res: Response, mask: (body: string) => string = (b) => b) {
  const headers = Object.fromEntries(
    [...res.headers].filter(([name]) => !['date', 'x-request-id', 'x-ratelimit-reset', 'set-cookie'].includes(name)),
  );
  // Cookies are compared by name (their values are random).
  const cookies = res.headers.getSetCookie().map((line) => line.split('=')[0]);
  return { status: res.status, headers, cookies, body: mask(await res.text()) };
}

/** A form's own random values (CSRF tokens) and the login echoed back, which differ by construction. */
const maskForm = (body: string) => body.replace(/(name="_csrf" value|data-csrf|name="login" type="text" value)="[^"]*"/g, '$1=""');

/** Tokens and times in a body, which are random or move, replaced by their shape. */
const shapeOnly = (body: string) =>
  body
    .replace(/"(access_token|refresh_token)":"[\w-]{54}"/g, '"$1":"<token>"')
    .replace(/"created_at":\d+/g, '"created_at":0')
    .replace(/"content-length"/g, '');

function api(path: string, token: string, ip: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('x-forwarded-for', ip);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

function oauth(fields: Record<string, string>, ip: string, path = '/oauth/token') {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'x-forwarded-for': ip },
    body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...fields }),
  });
}

const passwordGrant = (username: string, password: string, ip: string) =>
  oauth({ grant_type: 'password', username, password, scope: 'read' }, ip);

async function signUp(email: string, username: string, ip: string) {
  const pow = await apiProofOfWork(server.url);
  return api('/api/v1/accounts', appToken, ip, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email, password: 'correct horse battery staple', agreement: true, locale: 'en', ...pow }),
  });
}

describe('API sign-up with a taken email', () => {
  it('gives a token that nothing tells from a new, unconfirmed account’s, through every call it can make', async () => {
    // The same steps for both, each from its own address so that the per-address counts match.
    const [takenRes, freshRes] = [
      await signUp('OWNER@example.org', 'probe1', '203.0.113.21'),
      await signUp('probe2@example.org', 'probe2', '203.0.113.22'),
    ];
    const [taken, fresh] = [await seen(takenRes.clone(), shapeOnly), await seen(freshRes.clone(), shapeOnly)];
    assert.equal(fresh.status, 200, fresh.body);
    assert.deepEqual(taken, fresh);
    const tokens = [(await takenRes.json()) as Record<string, string>, (await freshRes.json()) as Record<string, string>];
    const ips = ['203.0.113.21', '203.0.113.22'];

    const both = async (call: (token: Record<string, string>, ip: string) => Promise<Response>) => {
      const [a, b] = [await seen(await call(tokens[0]!, ips[0]!), shapeOnly), await seen(await call(tokens[1]!, ips[1]!), shapeOnly)];
      assert.deepEqual(a, b);
      return a;
    };
    const me = await both((t, ip) => api('/api/v1/accounts/verify_credentials', t.access_token!, ip));
    assert.equal(me.status, 403);
    assert.equal(me.headers['x-ratelimit-limit'], '300', 'both are counted against their address');
    await both((t, ip) => api('/api/v1/timelines/home', t.access_token!, ip));
    assert.equal((await both((t, ip) => api('/api/v1/timelines/public', t.access_token!, ip))).status, 200);
    await both((t, ip) => api('/api/v1/statuses', t.access_token!, ip, { method: 'POST', body: new URLSearchParams({ status: 'hi' }) }));
    await both((t, ip) => api('/api/v1/accounts/lookup?acct=probe2', t.access_token!, ip));
    await both((t, ip) => api('/api/v1/apps/verify_credentials', t.access_token!, ip));
    // Sign-in with the password given at sign-up: refused alike (the new account's email is not confirmed).
    assert.equal(
      (
        await both((_t, ip) =>
          passwordGrant(ip.endsWith('21') ? 'owner@example.org' : 'probe2@example.org', 'correct horse battery staple', ip),
        )
      ).status,
      400,
    );

    // Refreshing works for both, once; the old pair stops working for both.
    const refreshed = await Promise.all(
      tokens.map((t, i) => oauth({ grant_type: 'refresh_token', refresh_token: t.refresh_token! }, ips[i]!)),
    );
    const [r0, r1] = [await seen(refreshed[0]!.clone(), shapeOnly), await seen(refreshed[1]!.clone(), shapeOnly)];
    assert.equal(r0.status, 200, r0.body);
    assert.deepEqual(r0, r1);
    const next = [(await refreshed[0]!.json()) as Record<string, string>, (await refreshed[1]!.json()) as Record<string, string>];
    assert.equal((await both((t, ip) => oauth({ grant_type: 'refresh_token', refresh_token: t.refresh_token! }, ip))).status, 400);
    assert.equal((await both((t, ip) => api('/api/v1/accounts/verify_credentials', t.access_token!, ip))).status, 401);
    tokens.splice(0, 2, ...next);
    assert.equal((await both((t, ip) => api('/api/v1/accounts/verify_credentials', t.access_token!, ip))).status, 403);

    // The username of each is taken from now on, alike.
    const again = [
      await seen(await signUp('other1@example.org', 'probe1', '203.0.113.23')),
      await seen(await signUp('other2@example.org', 'probe2', '203.0.113.24')),
    ];
    assert.equal(again[0]!.status, 422);
    assert.deepEqual(again[0], again[1]);

    // Revoked, both stop working alike.
    assert.equal((await both((t, ip) => oauth({ token: t.access_token! }, ip, '/oauth/revoke'))).status, 200);
    assert.equal((await both((t, ip) => api('/api/v1/accounts/verify_credentials', t.access_token!, ip))).status, 401);
  });
});

describe('signing in', () => {
  it('answers an existing and a missing login alike, before and after the throttle', async () => {
    // Failures on a username do not change what its email gets: the throttle never maps one to the other.
    for (let i = 0; i < 6; i++) {
      await (await passwordGrant('owner', 'wrong guess', '198.51.100.31')).arrayBuffer();
      await (await passwordGrant('ghost', 'wrong guess', '198.51.100.32')).arrayBuffer();
    }
    const viaEmail = [
      await seen(await passwordGrant('owner@example.org', 'wrong guess', '198.51.100.31')),
      await seen(await passwordGrant('ghost@example.org', 'wrong guess', '198.51.100.32')),
    ];
    assert.equal(viaEmail[0]!.status, 400);
    assert.deepEqual(viaEmail[0], viaEmail[1]);
    // Throttled, both get the same refusal, with the same wait.
    const throttled = [
      await seen(await passwordGrant('owner', 'wrong guess', '198.51.100.31')),
      await seen(await passwordGrant('ghost', 'wrong guess', '198.51.100.32')),
    ];
    assert.equal(throttled[0]!.status, 429);
    assert.deepEqual(throttled[0], throttled[1]);
    // The owner, elsewhere, is not locked out.
    assert.equal((await passwordGrant('owner', 'owner has a good password', '198.51.100.33')).status, 200);
  });

  it('shows the same sign-in page for an existing and a missing account', async () => {
    const attempt = async (login: string, ip: string) => {
      const browser = new TestBrowser(server.url, { 'x-forwarded-for': ip });
      const { csrf } = await browser.page('/auth/sign_in');
      const res = await browser.post('/auth/sign_in', { _csrf: csrf, login, password: 'wrong guess' });
      return seen(res, maskForm);
    };
    const [existing, missing] = [await attempt('owner@example.org', '198.51.100.41'), await attempt('ghost@example.org', '198.51.100.42')];
    assert.equal(existing.status, 401);
    assert.deepEqual(existing, missing);
  });
});

describe('password reset', () => {
  it('does the same work for a known and an unknown address, and the worker mails the known one', async () => {
    const ask = async (email: string, ip: string) => {
      const browser = new TestBrowser(server.url, { 'x-forwarded-for': ip });
      const { csrf } = await browser.page('/auth/password');
      return seen(await browser.post('/auth/password', { _csrf: csrf, email }), maskForm);
    };
    const [known, unknown] = [await ask('owner@example.org', '198.51.100.51'), await ask('nobody@example.org', '198.51.100.52')];
    assert.equal(known.status, 200);
    assert.deepEqual(known, unknown);
    // Both were queued; the known address gets its link from the worker.
    const mailDir = join(server.config.dataDir, 'mail');
    const resetMail = () =>
      readdirSync(mailDir)
        .map((file) => readFileSync(join(mailDir, file), 'utf8'))
        .find((text) => text.includes('To: owner@example.org') && text.includes('Reset your password'));
    assert.match(await until('the reset mail', resetMail), /auth\/password\/edit\?token=/);
  });
});
