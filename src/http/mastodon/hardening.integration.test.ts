import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Findings of an attack on Stoa (issue "Attacked as the inspiring platform was"), each with the test that
// failed before its fix: what search reveals, and names that normalise to something else.

let server: TestServer;
let ann: TestAccount;
let bob: TestAccount;

before(async () => {
  server = await startTestServer();
  [ann, bob] = (await createTestAccounts(server, ['ann', 'bob'])) as [TestAccount, TestAccount];
});
after(() => server.close());

const tagSearch = async (q: string, token?: string) => {
  const res = await fetch(`${server.url}/api/v2/search?type=hashtags&q=${encodeURIComponent(q)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { hashtags: { name: string }[] }).hashtags.map((h) => h.name);
};

describe('what search reveals', () => {
  it('lists only hashtags used in public or unlisted posts, and forgets one whose last post is deleted', async () => {
    await ann.client.v1.statuses.create({ status: 'a secret plan #surpriseparty', visibility: 'private' });
    await ann.client.v1.statuses.create({ status: 'between us #giftidea', visibility: 'direct' });
    const open = await ann.client.v1.statuses.create({ status: 'hello #openhouse', visibility: 'unlisted' });
    assert.deepEqual(await tagSearch('surprise'), [], 'a followers-only hashtag is not listed to anyone');
    assert.deepEqual(await tagSearch('surprise', bob.token), []);
    assert.deepEqual(await tagSearch('giftid', bob.token), [], 'nor a direct one');
    assert.deepEqual(await tagSearch('openhou'), ['openhouse']);
    await ann.client.v1.statuses.$select(open.id).remove();
    assert.deepEqual(await tagSearch('openhou'), [], 'a hashtag no post uses any more is gone');
  });

  it('does not list accounts waiting for approval or for their email to be confirmed', async () => {
    for (const [username, options] of [
      ['pendingpat', { confirmed: true, approved: false }],
      ['unconfirmedpat', { confirmed: false }],
    ] as const) {
      await createLocalAccount(server.app.db, systemClock, server.config, {
        username,
        email: `${username}@example.org`,
        password: `${username} has a long password`,
        ...options,
      });
    }
    const found = await bob.client.v2.search.list({ q: 'pat', type: 'accounts' });
    assert.deepEqual(
      found.accounts.map((a) => a.username),
      [],
    );
    const anonymous = await fetch(`${server.url}/api/v1/accounts/lookup?acct=pendingpat`);
    assert.equal(anonymous.status, 404);
    assert.equal((await fetch(`${server.url}/@pendingpat`)).status, 404, 'nor its public page');
  });
});

describe('names that normalise to something else', () => {
  it('follows and unfollows hashtags written in fullwidth or other compatibility forms without a server error', async () => {
    for (const name of ['ＴＥＳＴ', 'ｔｅｓｔ', 'ﬁsh', 'Ⅻ', 'İstanbul']) {
      for (const action of ['follow', 'unfollow']) {
        const res = await fetch(`${server.url}/api/v1/tags/${encodeURIComponent(name)}/${action}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bob.token}` },
        });
        assert.ok(res.status < 500, `${action} ${name}: ${res.status} ${await res.text()}`);
      }
    }
  });
});
