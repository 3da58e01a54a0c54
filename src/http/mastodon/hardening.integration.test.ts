import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalAccount, setRole } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { totpCode } from '../../lib/totp.ts';
import { uuid7Time } from '../../lib/uuid7.ts';
import { createLogger } from '../../lib/logger.ts';
import { openDatabase } from '../../storage/db/database.ts';
import { until } from '../../testing/until.ts';
import { createRestAPIClient } from 'masto';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { TestBrowser } from '../../testing/browser.ts';
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
    const anonymousSearch = await fetch(`${server.url}/api/v2/search?type=accounts&q=pat`);
    assert.equal(anonymousSearch.status, 200);
    assert.deepEqual(((await anonymousSearch.json()) as { accounts: unknown[] }).accounts, [], 'nor to anyone not signed in');
    const anonymous = await fetch(`${server.url}/api/v1/accounts/lookup?acct=pendingpat`);
    assert.equal(anonymous.status, 404);
    assert.equal((await fetch(`${server.url}/@pendingpat`)).status, 404, 'nor its public page');
  });
});

describe('a token revoked by another process', () => {
  it('is refused by the running server at once, not after its cache expires', async () => {
    const [cy] = (await createTestAccounts(server, ['cy'])) as [TestAccount];
    const me = () => fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${cy.token}` } });
    assert.equal((await me()).status, 200);
    assert.equal((await me()).status, 200, 'now kept in memory');
    // What `stoa accounts reset-password` does, from its own connection: every token of the account goes.
    const other = openDatabase(server.config.database, createLogger('silent'));
    try {
      await other.transaction((tx) => tx.deleteFrom('oauth_tokens').where('account_id', '=', cy.id).execute());
    } finally {
      await other.close();
    }
    await until('the revoked token refused', async () => (await me()).status === 401, 2_000, 50);
  });
});

describe('when an account was made', () => {
  it('is told to the day only: by its id, the API and its actor alike', async () => {
    const day = (ms: number) => ms % (24 * 3600_000) === 0;
    assert.ok(day(uuid7Time(ann.id)), `the id ${ann.id} carries a time of day`);
    const actor = (await (await fetch(`${server.url}/users/ann`, { headers: { accept: 'application/activity+json' } })).json()) as {
      published: string;
    };
    assert.ok(day(Date.parse(actor.published)), actor.published);
    const account = await bob.client.v1.accounts.$select(ann.id).fetch();
    assert.ok(day(Date.parse(account.createdAt)), account.createdAt);
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

describe('staff and their second factor', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer({ STOA_STAFF_REQUIRE_2FA: 'true' });
  });
  after(() => strict.close());

  it('refuses moderators the admin API and the moderation pages until they turn on two-factor authentication', async () => {
    const [mona] = (await createTestAccounts(strict, ['mona'])) as [TestAccount];
    await setRole(strict.app.db, systemClock, mona.id, 'moderator');
    const app = await createRestAPIClient({ url: strict.url }).v1.apps.create({
      clientName: 'Moderation',
      redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
      scopes: 'read admin:read',
    });
    const token = await passwordToken(strict.url, app, 'mona', 'mona uses a long password', 'read admin:read');
    const mod = createRestAPIClient({ url: strict.url, accessToken: token });
    const reports = () => fetch(`${strict.url}/api/v1/admin/reports`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await reports();
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: string }).error, /two-factor/);
    await assert.rejects(mod.v1.admin.reports.list().values().next(), (e: any) => e.statusCode === 403);
    const browser = new TestBrowser(strict.url);
    assert.equal((await browser.signIn('mona', 'mona uses a long password')).status, 303);
    assert.equal((await browser.get('/admin/moderation/reports')).status, 403);

    // Turned on from the settings, as a moderator would.
    const settings = await browser.page('/settings/security');
    const setup = await (await browser.post('/settings/two_factor/setup', { _csrf: settings.csrf })).text();
    const secret = /data-totp-secret>([A-Z2-7]+)</.exec(setup)![1]!;
    assert.equal(
      (await browser.post('/settings/two_factor/confirm', { _csrf: settings.csrf, code: totpCode(secret, Date.now()) })).status,
      200,
    );
    assert.equal((await reports()).status, 200);
    assert.deepEqual(await mod.v1.admin.reports.list(), []);
    assert.equal((await browser.get('/admin/moderation/reports')).status, 200);
  });
});
