import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { TestBrowser } from '../../../testing/browser.ts';
import { startTestServer, type TestServer } from '../../../testing/test-app.ts';
import { rows } from '../../../testing/rows.ts';

// The web client's page: served to signed-in browsers only, with a strict CSP, and carrying a token that
// belongs to the browser session and ends with it.

let server: TestServer;
let alice: TestAccount;

before(async () => {
  server = await startTestServer();
  [alice] = (await createTestAccounts(server, ['alice'])) as [TestAccount];
});
after(() => server.close());

async function signedIn(): Promise<TestBrowser> {
  const browser = new TestBrowser(server.url);
  const response = await browser.signIn('alice', 'alice uses a long password');
  assert.equal(response.status, 303);
  return browser;
}

async function appState(
  browser: TestBrowser,
): Promise<{ response: Response; html: string; state: { token: string; accountId: string; csrf: string; vapidKey: string } }> {
  const response = await browser.get('/');
  const html = await response.text();
  const json = /<script type="application\/json" id="stoa-state">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'the page carries the app state');
  return { response, html, state: JSON.parse(json) };
}

const verify = (token: string) =>
  fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } });

describe('the web client page', () => {
  it('is the landing page for visitors, and sends them to sign in from app paths', async () => {
    const visitor = new TestBrowser(server.url);
    const landing = await visitor.get('/');
    assert.equal(landing.status, 200);
    const html = await landing.text();
    assert.match(html, /Any Mastodon app can connect/);
    assert.doesNotMatch(html, /stoa-state/);
    const deep = await visitor.get('/web/notifications?x=1');
    assert.equal(deep.status, 302);
    assert.equal(deep.headers.get('location'), '/auth/sign_in?return_to=%2Fweb%2Fnotifications%3Fx%3D1');
  });

  it('hands a signed-in browser a working token, under a strict policy, never cached', async () => {
    const browser = await signedIn();
    const { response, html, state } = await appState(browser);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    // No inline script runs: the only script element without src is the JSON data block.
    assert.equal([...html.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)[^>]*>/g)].length, 0);
    assert.match(html, /<script type="module" crossorigin src="\/assets\/app-[\w-]+\.js"><\/script>/);
    assert.equal(state.accountId, alice.id);
    assert.ok(state.vapidKey.length > 40);
    const me = await verify(state.token);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { username: string }).username, 'alice');
    // Every tab of the session gets the same token; /web/ paths get the same page.
    assert.equal((await appState(browser)).state.token, state.token);
    const deep = await browser.get('/web/notifications');
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), new RegExp(state.token));
    // Another session has another token.
    const other = await signedIn();
    const otherState = (await appState(other)).state;
    assert.notEqual(otherState.token, state.token);
  });

  it('ends the token with the session: signing out, or revoking the session elsewhere', async () => {
    const browser = await signedIn();
    const { state } = await appState(browser);
    assert.equal((await verify(state.token)).status, 200);
    const out = await browser.post('/auth/sign_out', { _csrf: state.csrf });
    assert.equal(out.status, 303);
    assert.equal((await verify(state.token)).status, 401);

    const first = await signedIn();
    const second = await signedIn();
    const firstToken = (await appState(first)).state.token;
    const settings = await second.page('/settings/security');
    const sessionTokens = async () =>
      (await rows(server.app.db, 'oauth_tokens', { account_id: alice.id })).filter((t) => t.session_id !== null);
    assert.ok((await sessionTokens()).length > 0);
    const revokeAll = await second.post('/settings/sessions/revoke_all', { _csrf: settings.csrf });
    assert.ok(revokeAll.status < 400);
    assert.equal((await verify(firstToken)).status, 401);
    assert.equal((await sessionTokens()).length, 0);
    // The app keeps working for other apps: alice's own API token is untouched.
    assert.equal((await verify(alice.token)).status, 200);
  });

  it('serves the built files: hashed assets for a year, the service worker fresh, the manifest and icons', async () => {
    const browser = await signedIn();
    const { html } = await appState(browser);
    const script = /src="(\/assets\/app-[\w-]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${server.url}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type')!, /text\/javascript/);
    assert.match(asset.headers.get('cache-control')!, /immutable/);
    const worker = await fetch(`${server.url}/sw.js`);
    assert.equal(worker.headers.get('cache-control'), 'no-cache');
    assert.match(await worker.text(), /showNotification/);
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as {
      display: string;
      icons: { src: string; type: string }[];
    };
    assert.equal(manifest.display, 'standalone');
    for (const icon of manifest.icons) {
      const file = await fetch(`${server.url}${icon.src}`);
      assert.equal(file.status, 200, icon.src);
      assert.equal(file.headers.get('content-type'), icon.type);
    }
    assert.equal((await fetch(`${server.url}/offline.html`)).status, 200);
    // The build's own reports are not served.
    assert.equal((await fetch(`${server.url}/manifest.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/size-report.json`)).status, 404);
  });
});
