import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { TestBrowser } from '../../testing/browser.ts';
import { clientCredentialsToken, passwordToken } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { insertRow, row, rows } from '../../testing/rows.ts';

// Generated from the route table itself: a route added later is checked without editing this file.

let server: TestServer;
let pushOnly: string;
let appOnly: string;

const concrete = (path: string) => path.replace(/:[a-z_]+/g, uuid7());

async function call(method: string, path: string, token?: string) {
  const res = await fetch(`${server.url}${concrete(path)}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
    },
    body: method === 'GET' ? undefined : '{}',
  });
  await res.arrayBuffer();
  return res.status;
}

before(async () => {
  server = await startTestServer();
  for (const name of ['owner', 'intruder']) {
    await createLocalAccount(server.app.db, systemClock, server.config, {
      username: name,
      email: `${name}@example.org`,
      password: `${name} password is long`,
      confirmed: true,
    });
  }
  const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Matrix',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow push admin:read admin:write',
  });
  pushOnly = await passwordToken(server.url, app, 'owner', 'owner password is long', 'push');
  appOnly = await clientCredentialsToken(server.url, app, 'read write push admin:read admin:write');
});
after(() => server.close());

describe('the route table', () => {
  it('has routes, each public or scoped', () => {
    assert.ok(server.app.apiRoutes.length >= 8);
    const publicRoutes = server.app.apiRoutes.filter((r) => r.access.kind === 'public').map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      publicRoutes.sort(),
      [
        'GET /api/v1/accounts',
        'GET /api/v1/accounts/:id',
        'GET /api/v1/accounts/challenge',
        'GET /api/v1/accounts/lookup',
        'POST /api/v1/apps',
        'GET /api/v1/statuses',
        'GET /api/v1/statuses/:id',
        'GET /api/v1/statuses/:id/context',
        'GET /api/v1/statuses/:id/history',
        'GET /api/v1/statuses/:id/favourited_by',
        'GET /api/v1/statuses/:id/reblogged_by',
        'GET /api/v1/accounts/:id/followers',
        'GET /api/v1/accounts/:id/following',
        'GET /api/v1/accounts/:id/statuses',
        'GET /api/v1/timelines/public',
        'GET /api/v1/timelines/tag/:hashtag',
        'GET /api/v2/search',
        'GET /api/v1/tags/:name',
        'GET /api/v1/polls/:id',
        'GET /api/v1/directory',
        'GET /api/v1/accounts/:id/endorsements',
        'GET /api/v1/accounts/:id/featured_tags',
        'GET /api/v1/trends',
        'GET /api/v1/trends/tags',
        'GET /api/v1/trends/statuses',
        'GET /api/v1/trends/links',
      ].sort(),
      'the explicit public list',
    );
  });

  it('refuses anonymous requests on every route outside the public list', async () => {
    for (const route of server.app.apiRoutes) {
      const status = await call(route.method, route.path);
      if (route.access.kind === 'public') assert.notEqual(status, 401, `${route.method} ${route.path} is public`);
      else assert.equal(status, 401, `${route.method} ${route.path} must refuse anonymous requests`);
    }
  });

  it("refuses a token that lacks the route's scope with 403", async () => {
    for (const route of server.app.apiRoutes) {
      if (route.access.kind !== 'token' || route.access.scope === null || route.access.scope === 'push') continue;
      assert.equal(await call(route.method, route.path, pushOnly), 403, `${route.method} ${route.path} needs ${route.access.scope}`);
    }
  });

  it('refuses an app token on every route that needs a user', async () => {
    for (const route of server.app.apiRoutes) {
      if (route.access.kind !== 'token' || !route.access.user) continue;
      assert.equal(await call(route.method, route.path, appOnly), 422, `${route.method} ${route.path} needs a user`);
    }
  });

  it('answers every route with or without a trailing slash, alike (as Mastodon routes)', async () => {
    const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
      clientName: 'Slashes',
      redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
      scopes: 'read write follow push',
    });
    const token = await passwordToken(server.url, app, 'owner', 'owner password is long', 'read write follow push');
    const routes = [
      ...server.app.apiRoutes.map((r) => ({ method: r.method, path: r.path })),
      // What client libraries ask with a slash, and what the other surfaces serve.
      { method: 'GET', path: '/api/v1/instance' },
      { method: 'GET', path: '/api/v2/instance' },
      { method: 'GET', path: '/api/v1/instance/rules' },
      { method: 'GET', path: '/.well-known/nodeinfo' },
      { method: 'GET', path: '/nodeinfo/2.1' },
      { method: 'GET', path: '/about' },
    ];
    // The status and the error message: an unknown route's 404 says "Not found", a missing record's says
    // "Record not found".
    const answer = async (method: string, path: string) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
        body: method === 'GET' ? undefined : '{}',
      });
      const text = await res.text();
      return { status: res.status, error: res.status >= 400 ? ((JSON.parse(text) as { error?: string }).error ?? null) : null };
    };
    for (const { method, path } of routes) {
      const concretePath = path.replace(/:[a-z_]+/g, uuid7());
      const bare = await answer(method, concretePath);
      assert.deepEqual(await answer(method, `${concretePath}/`), bare, `${method} ${path}/ answers as ${method} ${path}`);
    }
  });

  it('refuses an invalid or forged token everywhere with 401', async () => {
    for (const route of server.app.apiRoutes) {
      assert.equal(await call(route.method, route.path, 'x'.repeat(54)), 401, `${route.method} ${route.path}`);
    }
  });
});

describe('what belongs to one account', () => {
  it('cannot be seen or changed by another (404)', async () => {
    const owner = new TestBrowser(server.url);
    await owner.signIn('owner', 'owner password is long');
    const ownerToken = await (async () => {
      const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
        clientName: 'Owned',
        redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
        scopes: 'read',
      });
      await passwordToken(server.url, app, 'owner', 'owner password is long', 'read');
      return app;
    })();
    const ownerId = (await row(server.app.db, 'accounts', { username: 'owner' }))!.id;
    const sessions = await rows(server.app.db, 'sessions', { account_id: ownerId });
    const passkeyId = uuid7();
    await insertRow(server.app.db, 'passkeys', {
      id: passkeyId,
      account_id: ownerId,
      credential_id: 'cred-owner',
      public_key: 'x',
      name: 'Owner key',
      created_at: new Date().toISOString(),
    });
    const ownerApp = (await row(server.app.db, 'oauth_apps', { client_id: ownerToken.clientId! }))!;

    const intruder = new TestBrowser(server.url);
    await intruder.signIn('intruder', 'intruder password is long');
    const { csrf, html } = await intruder.page('/settings/security');
    assert.doesNotMatch(html, /Owner key|Owned/, "the intruder's settings show nothing of the owner's");
    for (const action of [
      `/settings/sessions/${sessions[0]!.id}/revoke`,
      `/settings/apps/${ownerApp.id}/revoke`,
      `/settings/passkeys/${passkeyId}/delete`,
    ]) {
      const res = await intruder.post(action, { _csrf: csrf });
      assert.equal(res.status, 404, action);
    }
    assert.equal((await owner.page('/settings/security')).status, 200, "the owner's session survived");
    assert.match((await owner.page('/settings/security')).html, /Owner key/);
  });
});
