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
