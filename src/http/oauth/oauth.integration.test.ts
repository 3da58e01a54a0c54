import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { TestBrowser } from '../../testing/browser.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

let server: TestServer;
const REDIRECT = 'https://app.example/callback';

before(async () => {
  server = await startTestServer();
  await createLocalAccount(server.app.db, systemClock, server.config, {
    username: 'alice',
    email: 'alice@example.org',
    password: 'correct horse battery',
    confirmed: true,
  });
});
after(() => server.close());

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function registerApp(scopes = 'read write follow push') {
  const masto = createRestAPIClient({ url: server.url });
  return masto.v1.apps.create({
    clientName: 'Test App',
    redirectUris: `${REDIRECT} urn:ietf:wg:oauth:2.0:oob`,
    scopes,
    website: 'https://app.example',
  });
}

async function token(fields: Record<string, string>) {
  const res = await fetch(`${server.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Drives the browser side of the authorization-code flow: sign in, consent, and read the code. */
async function authorize(clientId: string, options: { challenge?: string; redirectUri?: string; scope?: string }) {
  const browser = new TestBrowser(server.url);
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: options.redirectUri ?? REDIRECT,
    scope: options.scope ?? 'read write',
    state: 'xyz',
  });
  if (options.challenge) {
    params.set('code_challenge', options.challenge);
    params.set('code_challenge_method', 'S256');
  }
  const start = await browser.get(`/oauth/authorize?${params.toString()}`);
  assert.equal(start.status, 302);
  const signInUrl = new URL(start.headers.get('location')!, server.url);
  assert.equal(signInUrl.pathname, '/auth/sign_in');
  const returnTo = signInUrl.searchParams.get('return_to')!;
  const signedIn = await browser.signIn('alice', 'correct horse battery', returnTo);
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), returnTo);
  const consent = await browser.page(returnTo);
  assert.equal(consent.status, 200);
  assert.match(consent.html, /Authorize Test App\?/);
  const form = Object.fromEntries(
    [...consent.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]),
  );
  const decision = await browser.post('/oauth/authorize', { ...form, decision: 'approve' });
  return { browser, decision };
}

describe('OAuth authorization code flow with PKCE, driven by a Mastodon client library', () => {
  it('signs in, consents, gets a token, refreshes, revokes', async () => {
    const app = await registerApp();
    assert.ok(app.clientId && app.clientSecret);
    const { verifier, challenge } = pkce();
    const { decision } = await authorize(app.clientId, { challenge });
    assert.equal(decision.status, 302);
    const back = new URL(decision.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'xyz');
    const code = back.searchParams.get('code')!;

    // A public client: no secret, so PKCE proves it is the one that started the flow.
    const issued = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      redirect_uri: REDIRECT,
      code,
      code_verifier: verifier,
    });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(issued.body.token_type, 'Bearer');
    assert.equal(issued.body.scope, 'read write');
    assert.equal(issued.body.expires_in, 7 * 24 * 3600);
    assert.ok(issued.body.refresh_token);

    const masto = createRestAPIClient({ url: server.url, accessToken: issued.body.access_token });
    const me = await masto.v1.accounts.verifyCredentials();
    assert.equal(me.username, 'alice');
    assert.equal(me.acct, 'alice');
    assert.equal(me.source.privacy, 'public');
    assert.equal((me as unknown as Record<string, unknown>).email, undefined);

    const again = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      redirect_uri: REDIRECT,
      code,
      code_verifier: verifier,
    });
    assert.equal(again.status, 400, 'a code works once');
    assert.equal(again.body.error, 'invalid_grant');

    const refreshed = await token({ grant_type: 'refresh_token', client_id: app.clientId, refresh_token: issued.body.refresh_token });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(refreshed.body.access_token, issued.body.access_token);
    await assert.rejects(masto.v1.accounts.verifyCredentials(), (e: any) => e.statusCode === 401, 'the refreshed-away token stops working');

    const fresh = createRestAPIClient({ url: server.url, accessToken: refreshed.body.access_token });
    assert.equal((await fresh.v1.accounts.verifyCredentials()).username, 'alice');

    const revoked = await fetch(`${server.url}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, token: refreshed.body.access_token }),
    });
    assert.equal(revoked.status, 200);
    await assert.rejects(fresh.v1.accounts.verifyCredentials(), (e: any) => e.statusCode === 401, 'a revoked token is refused at once');
  });

  it('requires PKCE from a client without a secret, and checks the verifier', async () => {
    const app = await registerApp();
    const plain = await authorize(app.clientId!, {});
    const plainCode = new URL(plain.decision.headers.get('location')!).searchParams.get('code')!;
    const noPkce = await token({ grant_type: 'authorization_code', client_id: app.clientId!, redirect_uri: REDIRECT, code: plainCode });
    assert.equal(noPkce.status, 400);
    assert.equal(noPkce.body.error, 'invalid_request');

    const { challenge } = pkce();
    const withPkce = await authorize(app.clientId!, { challenge });
    const code = new URL(withPkce.decision.headers.get('location')!).searchParams.get('code')!;
    const wrong = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId!,
      redirect_uri: REDIRECT,
      code,
      code_verifier: pkce().verifier,
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
  });

  it('lets a confidential client skip PKCE, and refuses a wrong secret', async () => {
    const app = await registerApp();
    const { decision } = await authorize(app.clientId!, {});
    const code = new URL(decision.headers.get('location')!).searchParams.get('code')!;
    const bad = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId!,
      client_secret: 'nope',
      redirect_uri: REDIRECT,
      code,
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'invalid_client');
    const { decision: d2 } = await authorize(app.clientId!, {});
    const code2 = new URL(d2.headers.get('location')!).searchParams.get('code')!;
    const good = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId!,
      client_secret: app.clientSecret!,
      redirect_uri: REDIRECT,
      code: code2,
    });
    assert.equal(good.status, 200, JSON.stringify(good.body));
  });

  it('shows the code on a page for the out-of-band redirect URI', async () => {
    const app = await registerApp();
    const { decision } = await authorize(app.clientId!, { redirectUri: 'urn:ietf:wg:oauth:2.0:oob' });
    assert.equal(decision.status, 200);
    const html = await decision.text();
    const code = /id="authorization-code">([\w-]+)</.exec(html)?.[1];
    assert.ok(code);
    const issued = await token({
      grant_type: 'authorization_code',
      client_id: app.clientId!,
      client_secret: app.clientSecret!,
      redirect_uri: 'urn:ietf:wg:oauth:2.0:oob',
      code,
    });
    assert.equal(issued.status, 200);
  });

  it('never redirects to a URI the app did not register, and refuses scopes beyond the app', async () => {
    const app = await registerApp('read');
    const browser = new TestBrowser(server.url);
    const res = await browser.get(
      `/oauth/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent('https://evil.example/steal')}`,
    );
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const scope = await browser.get(
      `/oauth/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=write`,
    );
    assert.equal(scope.status, 400);
  });

  it('refuses a consent form posted without its CSRF token', async () => {
    const app = await registerApp();
    const browser = new TestBrowser(server.url);
    await browser.signIn('alice', 'correct horse battery');
    const res = await browser.post('/oauth/authorize', {
      client_id: app.clientId!,
      redirect_uri: REDIRECT,
      scope: 'read',
      decision: 'approve',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
  });

  it('issues app tokens by client credentials, which verify the app but not a user', async () => {
    const app = await registerApp();
    const issued = await token({
      grant_type: 'client_credentials',
      client_id: app.clientId!,
      client_secret: app.clientSecret!,
      scope: 'read',
    });
    assert.equal(issued.status, 200);
    assert.equal(issued.body.refresh_token, undefined);
    const masto = createRestAPIClient({ url: server.url, accessToken: issued.body.access_token });
    const verified = await masto.v1.apps.verifyCredentials();
    assert.equal(verified.name, 'Test App');
    assert.equal((verified as unknown as Record<string, unknown>).clientSecret, undefined);
    const res = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, {
      headers: { authorization: `Bearer ${issued.body.access_token}` },
    });
    assert.equal(res.status, 422);
  });

  it('publishes the authorization server metadata', async () => {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(body.token_endpoint, 'http://stoa.test/oauth/token');
    assert.deepEqual(body.code_challenge_methods_supported, ['S256']);
    assert.ok((body.scopes_supported as string[]).includes('read:statuses'));
    assert.ok((body.grant_types_supported as string[]).includes('password'));
  });
});
