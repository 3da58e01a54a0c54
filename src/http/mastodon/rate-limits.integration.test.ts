import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { rows } from '../../testing/rows.ts';

// Every API request counts against its caller: the account, or the address when there is no token; posts
// and reposts also against a posting limit. Over a limit: 429 with Retry-After, as Mastodon clients expect.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
let cai: TestAccount;

before(async () => {
  server = await startTestServer({ STOA_API_RATE_LIMIT: '12', STOA_API_RATE_LIMIT_ANONYMOUS: '20', STOA_POST_RATE_LIMIT: '2' });
  [ana, ben, cai] = (await createTestAccounts(server, ['ana', 'ben', 'cai'])) as [TestAccount, TestAccount, TestAccount];
});
after(() => server.close());

const call = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
  });

describe('API rate limits', () => {
  it('limits requests without a token per address', async () => {
    // Setting up the accounts made requests too: count down from what is left.
    const first = await call('/api/v1/timelines/public');
    assert.equal(first.status, 200);
    let left = Number(first.headers.get('x-ratelimit-remaining'));
    assert.ok(left > 0 && left < 20);
    while (left > 0) {
      const response = await call('/api/v1/timelines/public');
      assert.equal(response.status, 200);
      assert.equal(Number(response.headers.get('x-ratelimit-remaining')), --left);
    }
    const refused = await call('/api/v1/timelines/public');
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { error: 'Too many requests' });
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(refused.headers.get('x-ratelimit-limit'), '20');
    assert.ok(Date.parse(refused.headers.get('x-ratelimit-reset')!) > Date.now());
    // A bad token is no way around it.
    assert.equal((await call('/api/v1/timelines/public', 'not-a-token')).status, 429);
    // An account is counted on its own.
    assert.equal((await call('/api/v1/timelines/public', ana.token)).status, 200);
  });

  it('limits requests per account, whatever the token', async () => {
    let left = Number((await call('/api/v1/accounts/verify_credentials', ana.token)).headers.get('x-ratelimit-remaining'));
    assert.ok(left > 0 && left < 12);
    for (; left > 0; left--) assert.equal((await call('/api/v1/accounts/verify_credentials', ana.token)).status, 200);
    const refused = await call('/api/v1/timelines/home', ana.token);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    // Others are not affected.
    assert.equal((await call('/api/v1/timelines/home', ben.token)).status, 200);
  });

  it('limits posts and reposts per account', async () => {
    const post = (status: string) => call('/api/v1/statuses', cai.token, { method: 'POST', body: JSON.stringify({ status }) });
    assert.equal((await post('one')).status, 200);
    const second = (await (await post('two')).json()) as { id: string };
    const third = await post('three');
    assert.equal(third.status, 429);
    assert.match(((await third.json()) as { error: string }).error, /Too many posts/);
    assert.equal((await call(`/api/v1/statuses/${second.id}/reblog`, cai.token, { method: 'POST' })).status, 429);
    // Reading is still allowed: the posting limit is its own.
    assert.equal((await call('/api/v1/timelines/home', cai.token)).status, 200);
    const statuses = await rows(server.app.db, 'statuses', { account_id: cai.id });
    assert.equal(statuses.length, 2);
  });
});

describe('budgets no token can multiply', () => {
  let limited: TestServer;
  before(async () => {
    limited = await startTestServer({
      STOA_TRUSTED_PROXIES: '127.0.0.1',
      STOA_API_RATE_LIMIT_ANONYMOUS: '1000',
      STOA_APP_RATE_LIMIT: '3',
      STOA_PAGE_RATE_LIMIT: '4',
      STOA_FEDERATION_RATE_LIMIT: '5',
    });
    await createTestAccounts(limited, ['dee']);
  });
  after(() => limited.close());

  const from = (ip: string, path: string, init: RequestInit = {}) =>
    fetch(`${limited.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': ip } });
  const registerApp = (ip: string) =>
    from(ip, '/api/v1/apps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Scraper', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' }),
    });

  it('limits app registrations and app tokens per address, and counts app tokens against it', async () => {
    const app = (await (await registerApp('203.0.113.60')).json()) as { client_id: string; client_secret: string };
    const mint = () =>
      from('203.0.113.60', '/oauth/token', {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret }),
      });
    assert.equal((await mint()).status, 200);
    const token = ((await (await mint()).json()) as { access_token: string }).access_token;
    const refused = await mint();
    assert.equal(refused.status, 429, 'the fourth issuance in an hour');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await registerApp('203.0.113.60')).status, 429);
    assert.equal((await registerApp('203.0.113.61')).status, 200, 'another address has its own budget');
    // An app-only token's requests are the address's: its budget is the anonymous one, shared.
    const withToken = await from('203.0.113.60', '/api/v1/timelines/public', { headers: { authorization: `Bearer ${token}` } });
    const without = await from('203.0.113.60', '/api/v1/timelines/public');
    assert.equal(withToken.headers.get('x-ratelimit-limit'), '1000');
    assert.equal(Number(without.headers.get('x-ratelimit-remaining')), Number(withToken.headers.get('x-ratelimit-remaining')) - 1);
  });

  it('gives profile pages, feeds, hashtag pages and ActivityPub reads a budget per address', async () => {
    const pages = ['/@dee', '/@dee.atom', '/tags/stoa', '/@dee'];
    for (const path of pages) assert.equal((await from('203.0.113.70', path)).status, 200, path);
    const page = await from('203.0.113.70', '/@dee', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 429);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.equal((await from('203.0.113.70', '/tags/stoa')).status, 429);
    assert.equal((await from('203.0.113.71', '/@dee')).status, 200, 'another address reads on');

    const ap = { headers: { accept: 'application/activity+json' } };
    const reads = [
      '/users/dee',
      '/users/dee/outbox',
      '/users/dee/followers',
      '/users/dee/following',
      '/.well-known/webfinger?resource=acct:dee@stoa.test',
    ];
    for (const path of reads) assert.equal((await from('203.0.113.72', path, ap)).status, 200, path);
    const refused = await from('203.0.113.72', '/users/dee/outbox', ap);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // The budgets are separate: pages are still readable from that address.
    assert.equal((await from('203.0.113.72', '/@dee')).status, 200);
  });
});
