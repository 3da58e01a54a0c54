import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// The notification policy and its requests, through masto and raw HTTP: what strangers, new accounts and
// private mentions send is held back (or dropped) as the member chooses, one request per sender, accepted
// or dismissed; the accounts the member follows are always let in.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
let cat: TestAccount;
let dan: TestAccount;

before(async () => {
  server = await startTestServer();
  [ana, ben, cat, dan] = (await createTestAccounts(server, ['ana', 'ben', 'cat', 'dan'])) as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
  await ana.client.v1.accounts.$select(ben.id).follow();
});
after(() => server.close());

const call = async (method: string, path: string, body?: Record<string, unknown>) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ana.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const notifiedBy = async (account: TestAccount) =>
  (await ana.client.v1.notifications.list({ limit: 80 })).filter((n) => n.account.id === account.id).map((n) => n.type);

describe('the notification policy', () => {
  it("holds back private mentions from strangers by default, in the sender's request", async () => {
    const policy = await ana.client.v2.notifications.policy.fetch();
    assert.deepEqual(
      [policy.forNotFollowing, policy.forNotFollowers, policy.forNewAccounts, policy.forPrivateMentions, policy.forLimitedAccounts],
      ['accept', 'accept', 'accept', 'filter', 'filter'],
    );
    const dm = await cat.client.v1.statuses.create({ status: '@ana psst', visibility: 'direct' });
    await ben.client.v1.statuses.create({ status: '@ana from a friend', visibility: 'direct' });
    assert.deepEqual(await notifiedBy(cat), [], 'held back');
    assert.deepEqual(await notifiedBy(ben), ['mention'], 'ana follows ben: always let in');
    const [request] = await ana.client.v1.notifications.requests.list();
    assert.equal(request?.account.id, cat.id);
    assert.equal(request?.notificationsCount, '1');
    assert.equal(request?.lastStatus?.id, dm.id);
    const summary = (await ana.client.v2.notifications.policy.fetch()).summary;
    assert.deepEqual(summary, { pendingRequestsCount: 1, pendingNotificationsCount: 1 });
    // A request's notifications are read with include_filtered, as apps do.
    const held = await call('GET', `/api/v1/notifications?account_id=${cat.id}&include_filtered=true`);
    assert.deepEqual(
      (held.body as { status: { id: string } }[]).map((n) => n.status.id),
      [dm.id],
    );
    // Accepted: its notifications join the others, and cat is let through from now on.
    await ana.client.v1.notifications.requests.$select(request.id).accept();
    assert.deepEqual(await notifiedBy(cat), ['mention']);
    await cat.client.v1.statuses.create({ status: '@ana again', visibility: 'direct' });
    assert.deepEqual(await notifiedBy(cat), ['mention', 'mention']);
    assert.deepEqual(await ana.client.v1.notifications.requests.list(), []);
    assert.deepEqual(await ana.client.v1.notifications.requests.merged.fetch(), { merged: true });
  });

  it('filters or drops as the member chooses, and dismissing a request forgets what it held', async () => {
    const changed = await ana.client.v2.notifications.policy.update({ forNotFollowing: 'filter' });
    assert.equal(changed.forNotFollowing, 'filter');
    const post = await ana.client.v1.statuses.create({ status: 'like it' });
    await dan.client.v1.statuses.$select(post.id).favourite();
    await ben.client.v1.statuses.$select(post.id).favourite();
    assert.deepEqual(await notifiedBy(dan), [], 'a stranger is held back');
    assert.ok((await notifiedBy(ben)).includes('favourite'), 'a friend is not');
    const requests = await call('GET', '/api/v1/notifications/requests/');
    const fromDan = (requests.body as { id: string; account: { id: string } }[]).find((r) => r.account.id === dan.id);
    assert.ok(fromDan);
    assert.equal((await call('GET', `/api/v1/notifications/requests/${fromDan.id}`)).body.notifications_count, '1');
    // Without ids (masto's `requests.accept()` sends none) nothing is answered, and nothing fails.
    await ana.client.v1.notifications.requests.accept();
    assert.equal((await call('GET', `/api/v1/notifications/requests/${fromDan.id}`)).status, 200, 'still waiting');
    assert.equal((await call('POST', '/api/v1/notifications/requests/dismiss', { id: [fromDan.id] })).status, 200);
    assert.equal((await call('GET', `/api/v1/notifications?account_id=${dan.id}&include_filtered=true`)).body.length, 0, 'forgotten');
    assert.equal((await call('GET', `/api/v1/notifications/requests/${fromDan.id}`)).status, 404);
    // Dropped: not kept at all, no request.
    await ana.client.v2.notifications.policy.update({ forNotFollowing: 'drop' });
    await dan.client.v1.statuses.$select(post.id).reblog();
    assert.equal((await call('GET', `/api/v1/notifications?account_id=${dan.id}&include_filtered=true`)).body.length, 0);
    assert.deepEqual((await call('GET', '/api/v1/notifications/requests')).body, []);
    // Refused, naming the field; others' requests are not ana's to answer.
    const bad = await call('PATCH', '/api/v2/notifications/policy', { for_new_accounts: 'ignore' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.details.for_new_accounts);
    assert.equal((await call('POST', '/api/v1/notifications/requests/nothing/accept')).status, 404);
    await ana.client.v2.notifications.policy.update({ forNotFollowing: 'accept' });
  });
});
