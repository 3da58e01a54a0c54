import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { passwordToken } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Generated from the route table: every API route, called by a member with every scope, with values of the
// wrong kind in every parameter a Mastodon client sends. A client's mistake is a 4xx in Mastodon's error
// shape, never a 500, whatever the route.

const FIELDS = [
  'status',
  'in_reply_to_id',
  'quoted_status_id',
  'media_ids',
  'poll',
  'spoiler_text',
  'sensitive',
  'visibility',
  'language',
  'scheduled_at',
  'reblogs',
  'notify',
  'languages',
  'duration',
  'notifications',
  'q',
  'type',
  'resolve',
  'following',
  'account_id',
  'offset',
  'limit',
  'max_id',
  'since_id',
  'min_id',
  'types',
  'exclude_types',
  'id',
  'domain',
  'description',
  'focus',
  'display_name',
  'note',
  'locked',
  'bot',
  'discoverable',
  'hide_collections',
  'fields_attributes',
  'source',
  'home',
  'last_read_id',
  'timeline',
  'subscription',
  'data',
  'policy',
  'comment',
  'status_ids',
  'rule_ids',
  'forward',
  'category',
  'local',
  'remote',
  'only_media',
  'any',
  'all',
  'none',
  'pinned',
  'tagged',
  'exclude_replies',
  'exclude_reblogs',
  'acct',
  'password',
  'also_known_as',
  'target_account',
];

const BAD_VALUES: readonly unknown[] = [
  123,
  -1,
  1e308,
  true,
  null,
  [],
  {},
  ['a', { b: 1 }],
  { a: { b: [1] } },
  'x'.repeat(20_000),
  '\u0000',
  '',
  'NaN',
  '9'.repeat(40),
];
const BAD_QUERIES = [
  'limit=abc',
  'limit=-5&max_id=x&since_id[]=a&min_id[a]=b',
  'types[]=nope&exclude_types=1&q[x]=1',
  'local=maybe&only_media[]=1&any=%00',
  'id[]=' + 'z'.repeat(3000),
];
/** Names in other scripts and in forms that Unicode normalisation changes (fullwidth, ligatures, numerals, combining marks). */
const ODD_NAMES = [
  'ＴＥＳＴ',
  'ｔｅｓｔ',
  'ﬁsh',
  'Ⅻ',
  'İstanbul',
  'ǅemal',
  'e\u0301t\u00e9',
  'שלום',
  '🦣',
  'a\u200bb',
  '．．',
  'ß',
  'Straße',
  '\u212a',
];
const BAD_IDS = ['nope', '0', '2024', '-1', 'x'.repeat(2_000), '%00', '..%2F..', '100%25', '%E0%A4%A', encodeURIComponent('1 OR 1=1')];

let server: TestServer;
let token: string;
let client: mastodon.rest.Client;
let otherId: string;

/** A path of the route with its parameters filled: real ids where the route names a status or an account. */
async function concrete(path: string, id?: string): Promise<string> {
  let realId = uuid7();
  if (path.includes('/statuses/:id')) realId = (await client.v1.statuses.create({ status: `target ${uuid7()}` })).id;
  else if (path.includes('/accounts/:id')) realId = otherId;
  return path.replace(/:id\b/g, id ?? realId).replace(/:[a-z_]+/g, id ?? 'stoa');
}

async function call(method: string, url: string, init: { body?: string; type?: string; authorization?: string } = {}) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: init.authorization ?? `Bearer ${token}`, ...(init.type ? { 'content-type': init.type } : {}) },
    body: method === 'GET' || method === 'HEAD' ? undefined : init.body,
  });
  const text = await res.text();
  const where = `${method} ${url.slice(0, 120)} ${(init.body ?? '').slice(0, 120)}`;
  assert.ok(res.status < 500, `${where} answered ${res.status}: ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    assert.match(res.headers.get('content-type') ?? '', /application\/json/, where);
    assert.equal(typeof (JSON.parse(text) as { error?: unknown }).error, 'string', `${where}: ${text.slice(0, 300)}`);
  }
}

before(async () => {
  server = await startTestServer();
  for (const name of ['prober', 'other']) {
    await createLocalAccount(server.app.db, systemClock, server.config, {
      username: name,
      email: `${name}@example.org`,
      password: `${name} password is long`,
      confirmed: true,
    });
  }
  const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Prober',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow push',
  });
  token = await passwordToken(server.url, app, 'prober', 'prober password is long', 'read write follow push');
  client = createRestAPIClient({ url: server.url, accessToken: token });
  otherId = (await client.v1.accounts.lookup({ acct: 'other' })).id;
});
after(() => server.close());

describe('malformed input on every API route', () => {
  it('has routes to probe', () => assert.ok(server.app.apiRoutes.length >= 80, `${server.app.apiRoutes.length} routes`));

  it('answers values of the wrong kind in a JSON body with a 4xx', async () => {
    for (const route of server.app.apiRoutes) {
      if (route.method === 'GET') continue;
      for (const value of BAD_VALUES) {
        const body = JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, value])));
        await call(route.method, await concrete(route.path), { body, type: 'application/json' });
      }
      await call(route.method, await concrete(route.path), { body: '{"status": ', type: 'application/json' });
      await call(route.method, await concrete(route.path), { body: '[1,2]', type: 'application/json' });
    }
  });

  it('answers nested or odd form fields with a 4xx', async () => {
    const form =
      'status[a][b]=1&media_ids=x&poll[options]=1&poll[expires_in][x]=2&visibility[]=public&fields_attributes[0]=x&data[alerts]=1&limit=-1&subscription[keys]=1';
    for (const route of server.app.apiRoutes) {
      if (route.method === 'GET') continue;
      await call(route.method, await concrete(route.path), { body: form, type: 'application/x-www-form-urlencoded' });
    }
  });

  it('answers odd query strings with a 4xx', async () => {
    const everyField = ['-1', '1e308', '9'.repeat(40), 'NaN', '', 'x'.repeat(150), '%E0%A4%A'].map((value) =>
      FIELDS.map((f) => `${f}=${value}`).join('&'),
    );
    for (const route of server.app.apiRoutes) {
      for (const query of [...BAD_QUERIES, ...(route.method === 'GET' ? everyField : [])])
        await call(route.method, `${await concrete(route.path)}?${query}`, { body: '{}', type: 'application/json' });
    }
  });

  it('answers ids that are not ids with a 4xx', async () => {
    for (const route of server.app.apiRoutes) {
      if (!route.path.includes('/:')) continue;
      for (const id of BAD_IDS) await call(route.method, await concrete(route.path, id), { body: '{}', type: 'application/json' });
    }
  });
});

describe('non-ASCII and normalising path parameters', () => {
  it('never make an API route answer with a 500', async () => {
    for (const route of server.app.apiRoutes) {
      if (!route.path.includes('/:')) continue;
      for (const name of ODD_NAMES)
        await call(route.method, await concrete(route.path, encodeURIComponent(name)), { body: '{}', type: 'application/json' });
    }
  });

  it('never make a public page, feed or ActivityPub path answer with a 500', async () => {
    for (const name of ODD_NAMES) {
      const encoded = encodeURIComponent(name);
      for (const path of [
        `/tags/${encoded}`,
        `/@${encoded}`,
        `/@${encoded}.atom`,
        `/@prober/${encoded}`,
        `/users/${encoded}`,
        `/users/${encoded}/outbox`,
        `/users/prober/statuses/${encoded}`,
        `/.well-known/webfinger?resource=acct:${encoded}@stoa.test`,
      ]) {
        for (const accept of ['text/html', 'application/activity+json']) {
          const res = await fetch(`${server.url}${path}`, { headers: { accept } });
          assert.ok(res.status < 500, `${path} (${accept}) answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        }
      }
    }
  });
});

describe('malformed input outside the API routes', () => {
  it('answers malformed Basic client credentials with invalid_client', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      for (const credentials of ['a%:b', 'a:%E0%A4%A', '%', ':']) {
        const authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
        const res = await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { authorization },
          body: new URLSearchParams({ grant_type: 'client_credentials', token: 'x' }),
        });
        const body = (await res.json()) as { error?: string };
        assert.ok(res.status === 400 || res.status === 401, `${path} ${credentials}: ${res.status}`);
        assert.equal(body.error, 'invalid_client', `${path} ${credentials}`);
      }
    }
  });

  it('refuses NUL characters in bodies and URLs with a 400 that says so, on both engines alike', async () => {
    const refusals = [
      await fetch(`${server.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'a\u0000b' }),
      }),
      await fetch(`${server.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: new URLSearchParams({ 'poll[options][]': 'x\u0000' }),
      }),
      await fetch(`${server.url}/api/v1/accounts/%00/follow`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${server.url}/api/v2/search?q=a%00`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${server.url}/.well-known/webfinger?resource=acct:%00@example.org`),
      await fetch(`${server.url}/users/%00`, { headers: { accept: 'application/activity+json' } }),
    ];
    for (const res of refusals) {
      assert.equal(res.status, 400, res.url);
      assert.match(((await res.json()) as { error: string }).error, /NUL/, res.url);
    }
    const page = await fetch(`${server.url}/@prober%00`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /NUL characters/);
    const statuses = await client.v1.accounts.$select((await client.v1.accounts.verifyCredentials()).id).statuses.list();
    assert.ok(statuses.every((s) => !s.content.includes('a\u0000b')));
  });

  it('answers what the HTTP parser refuses in the same JSON shape', async () => {
    const long = await fetch(`${server.url}/api/v1/timelines/public?q=${'x'.repeat(20_000)}`);
    assert.equal(long.status, 431);
    assert.match(((await long.json()) as { error: string }).error, /too large/);
    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /\r\n\r\n\{"error":"The request is not valid HTTP"\}$/);
  });

  it('answers odd names in public page paths with a readable 404 page', async () => {
    for (const path of [
      '/tags/100%25',
      '/tags/%E0%A4%A',
      '/tags/2024',
      `/tags/${'a'.repeat(101)}`,
      '/@prober/100%25',
      '/@100%25',
      '/@prober/%E0%A4%A',
    ]) {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      assert.match(await res.text(), /<h1[^>]*>/, path);
    }
  });
});
