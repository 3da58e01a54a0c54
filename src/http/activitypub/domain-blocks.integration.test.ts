import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import { findAccountByHandle } from '../../domain/accounts/accounts.repo.ts';
import { setRole } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { rows } from '../../testing/rows.ts';
import { deliverer } from '../../testing/signed-delivery.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// A domain block between two real servers on loopback: A suspends B as a whole. Follows end both ways and
// B is told (a Reject for what its accounts followed on A, an Undo for what A's accounts followed on B);
// B's accounts and their posts are gone from A; A refuses B's activities and fetches nothing from it.
// Lifted, the accounts come back (their removed posts do not), and B is heard again.

let a: TestServer;
let b: TestServer;
let alice: TestAccount; // on A
let admin: mastodon.rest.Client; // an admin of A
let adminToken: () => Promise<string>;
let bob: TestAccount; // on B, follows alice
let bea: TestAccount; // on B, followed by alice

before(async () => {
  a = await startFederatedServer('127.0.0.18', ['127.0.0.19'], { STOA_LOG_LEVEL: 'warn' });
  b = await startFederatedServer('127.0.0.19', ['127.0.0.18'], { STOA_LOG_LEVEL: 'warn' });
  const [alicia, chief] = (await createTestAccounts(a, ['alice', 'chief'])) as [TestAccount, TestAccount];
  alice = alicia;
  await setRole(a.app.db, systemClock, chief.id, 'admin');
  const app = await createRestAPIClient({ url: a.url }).v1.apps.create({
    clientName: 'Admin app',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read admin:read admin:write',
  });
  const token = await passwordToken(a.url, app, 'chief', 'chief uses a long password', 'read admin:read admin:write');
  admin = createRestAPIClient({ url: a.url, accessToken: token });
  adminToken = () => Promise.resolve(token);
  [bob, bea] = (await createTestAccounts(b, ['bob', 'bea'])) as [TestAccount, TestAccount];
});

after(async () => {
  await b?.close();
  await a?.close();
});

const following = async (who: TestAccount, id: string) => (await who.client.v1.accounts.relationships.fetch({ id: [id] }))[0]!.following;

describe('a domain block between two servers', () => {
  let aliceOnB: string;
  let beaOnA: string;

  it('cuts a suspended server off: follows severed both ways and told, its posts removed, its activities refused, nothing fetched', async () => {
    aliceOnB = (await bob.client.v2.search.list({ q: `@alice@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts[0]!.id;
    await bob.client.v1.accounts.$select(aliceOnB).follow();
    await until('bob following alice', () => following(bob, aliceOnB));
    beaOnA = (await alice.client.v2.search.list({ q: `@bea@${b.config.domain}`, resolve: true, type: 'accounts' })).accounts[0]!.id;
    await alice.client.v1.accounts.$select(beaOnA).follow();
    await until('alice following bea', () => following(alice, beaOnA));
    await bea.client.v1.statuses.create({ status: 'bea says hello' });
    await until("bea's post on A", async () => (await rows(a.app.db, 'statuses', { domain: b.config.domain })).length > 0);

    const block = await admin.v1.admin.domainBlocks.create({ domain: b.config.domain, severity: 'suspend', publicComment: 'harassment' });
    assert.equal(block.severity, 'suspend');

    // On A at once: no follows with B's accounts, which are suspended.
    assert.equal(await following(alice, beaOnA), false);
    const remote = await rows(a.app.db, 'accounts', { domain: b.config.domain });
    assert.ok(remote.length >= 2 && remote.every((r) => r.suspended_at !== null && r.suspension_origin === 'domain'));
    assert.equal(
      (await alice.client.v1.accounts
        .$select(beaOnA)
        .fetch()
        .catch(() => null)) ?? null,
      null,
      'the account is hidden',
    );
    // Their posts are removed by A's workers.
    await until("bea's post removed from A", async () => (await rows(a.app.db, 'statuses', { domain: b.config.domain })).length === 0);
    // B hears of it: bob no longer follows alice (a Reject), bea no longer has alice as a follower (an Undo).
    await until('B told that bob no longer follows alice', async () => !(await following(bob, aliceOnB)));
    const aliceFollowsBea = async () => (await bea.client.v1.accounts.$select(bea.id).followers.list()).some((f) => f.id === aliceOnB);
    await until('B told that alice no longer follows bea', async () => !(await aliceFollowsBea()));

    // B's activities are refused at A's door.
    const delivery = await (
      await deliverer(b, 'bob', a)
    ).deliver({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${b.url}/users/bob#follows/again`,
      type: 'Follow',
      actor: `${b.url}/users/bob`,
      object: `${a.url}/users/alice`,
    });
    assert.equal(delivery.status, 403);
    assert.equal(
      (await rows(a.app.db, 'follow_requests')).length + (await rows(a.app.db, 'follows', { target_account_id: alice.id })).length,
      0,
    );
    // Nothing is fetched from B: an account A never saw cannot be looked up.
    await createTestAccounts(b, ['bree']);
    const looked = await alice.client.v2.search.list({ q: `@bree@${b.config.domain}`, resolve: true, type: 'accounts' });
    assert.deepEqual(looked.accounts, []);
    assert.equal(await findAccountByHandle(a.app.db.read, 'bree', b.config.domain), undefined);
    // The public list says so.
    const listed = (await (await fetch(`${a.url}/api/v1/instance/domain_blocks`)).json()) as { domain: string; comment: string }[];
    assert.deepEqual(
      listed.map((l) => [l.domain, l.comment]),
      [[b.config.domain, 'harassment']],
    );
  });

  it('lifted, brings the accounts back and hears the server again', async () => {
    const [block] = await admin.v1.admin.domainBlocks.list();
    await admin.v1.admin.domainBlocks.$select(block!.id).remove();
    const remote = await rows(a.app.db, 'accounts', { domain: b.config.domain });
    assert.ok(remote.every((r) => r.suspended_at === null));
    await bob.client.v1.accounts.$select(aliceOnB).follow();
    await until('bob following alice again', () => following(bob, aliceOnB));
    await alice.client.v1.accounts.$select(beaOnA).follow();
    await until('alice following bea again', () => following(alice, beaOnA));
  });

  it('flags a threat arriving from another server for the moderators, as a report from this server', async () => {
    const post = await bea.client.v1.statuses.create({ status: 'Ich bring dich um, wenn du das noch einmal schreibst.', language: 'de' });
    const report = await until('the flag on A', async () =>
      (await rows(a.app.db, 'reports', { category: 'violation' })).find((r) => r.comment.includes('de.bring-um')),
    );
    const onA = (await rows(a.app.db, 'statuses', { uri: post.uri }))[0]!;
    assert.deepEqual(JSON.parse(report.status_ids), [onA.id]);
    assert.equal(report.account_id, null);
    assert.equal(report.target_account_id, beaOnA);
  });

  it('limits a server: its posts leave the federated timeline for everyone but their followers', async () => {
    const post = await bea.client.v1.statuses.create({ status: 'bea posts in public', visibility: 'public' });
    // It reaches A because alice follows bea.
    await until("bea's public post on A", async () => (await rows(a.app.db, 'statuses', { uri: post.uri })).length === 1);
    const federated = async (client: mastodon.rest.Client) => (await client.v1.timelines.public.list({ remote: true })).map((s) => s.uri);
    const [stranger] = (await createTestAccounts(a, ['stranger'])) as [TestAccount];
    assert.ok((await federated(stranger.client)).includes(post.uri));
    await admin.v1.admin.domainBlocks.create({ domain: b.config.domain, severity: 'silence' });
    assert.ok(!(await federated(stranger.client)).includes(post.uri), 'a stranger no longer sees it');
    const bobOnA = (await findAccountByHandle(a.app.db.read, 'bob', b.config.domain))!;
    assert.notEqual(bobOnA.silenced_at, null, 'its accounts are limited with it');
  });

  it('subscribes to a blocklist: its blocks carry it as their source, follow the list as it changes, and go with the subscription', async () => {
    let list = '#domain,#severity,#public_comment\nspam1.example,suspend,spam\nspam2.example,silence,\n';
    let status = 200;
    const lists = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/csv' });
      res.end(status === 200 ? list : 'down');
    });
    await new Promise<void>((resolve) => lists.listen(0, '127.0.0.19', resolve));
    const url = `http://127.0.0.19:${(lists.address() as AddressInfo).port}/blocklist.csv`;
    try {
      const chief = await adminToken();
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${a.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${chief}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const subscribed = await call('POST', '/api/v1/admin/blocklist_subscriptions', { url });
      assert.equal(subscribed.status, 200, JSON.stringify(subscribed.body));
      assert.deepEqual(subscribed.body.result.created, ['spam1.example', 'spam2.example']);
      assert.equal(subscribed.body.blocks, 2);
      const blocks = async () =>
        Object.fromEntries(
          (await admin.v1.admin.domainBlocks.list()).map((b) => [b.domain, (b as unknown as { source: string | null }).source]),
        );
      assert.equal((await blocks())['spam1.example'], `subscription:${url}`);

      await admin.v1.admin.domainBlocks.create({ domain: 'manual.example', severity: 'suspend' });
      list = '#domain,#severity\nspam1.example,suspend\nmanual.example,suspend\n';
      const refreshed = await call('POST', `/api/v1/admin/blocklist_subscriptions/${subscribed.body.id}/refresh`);
      assert.deepEqual(refreshed.body.result.lifted, ['spam2.example'], 'a domain the list dropped is lifted');
      assert.deepEqual(refreshed.body.result.skipped, ['manual.example'], 'a block made here is left alone');
      assert.equal((await blocks())['manual.example'], null);
      assert.equal((await blocks())['spam2.example'], undefined);

      status = 500;
      const failed = await call('POST', `/api/v1/admin/blocklist_subscriptions/${subscribed.body.id}/refresh`);
      assert.match(failed.body.last_error, /answered 500/);
      assert.equal((await blocks())['spam1.example'], `subscription:${url}`, 'a failed fetch changes no block');

      const refused = await call('POST', '/api/v1/admin/blocklist_subscriptions', { url: 'http://10.1.2.3/list.csv' });
      assert.match(refused.body.last_error, /may not be fetched/, 'the list is fetched through the SSRF guard');

      assert.equal((await call('DELETE', `/api/v1/admin/blocklist_subscriptions/${subscribed.body.id}`)).status, 200);
      const after = await blocks();
      assert.equal(after['spam1.example'], undefined, 'its blocks go with the subscription');
      assert.equal(after['manual.example'], null);
    } finally {
      lists.close();
    }
  });
});
