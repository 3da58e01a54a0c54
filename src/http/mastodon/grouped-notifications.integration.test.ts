import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import type { GroupedNotificationsResults } from './entities.ts';

// Grouped notifications (/api/v2/notifications) through masto and raw HTTP: likes, reposts and follows
// grouped, each account and status once, paged by groups, one group read, its accounts, dismissed.

let server: TestServer;
let ana: TestAccount;
let others: TestAccount[];
let postId: string;

before(async () => {
  server = await startTestServer();
  const made = await createTestAccounts(server, ['ana', 'ben', 'cat', 'dan']);
  ana = made[0]!;
  others = made.slice(1);
  const [ben, cat, dan] = others as [TestAccount, TestAccount, TestAccount];
  postId = (await ana.client.v1.statuses.create({ status: 'like me' })).id;
  for (const who of [ben, cat, dan]) await who.client.v1.statuses.$select(postId).favourite();
  for (const who of [ben, cat]) await who.client.v1.statuses.$select(postId).reblog();
  for (const who of [ben, cat]) await who.client.v1.accounts.$select(ana.id).follow();
  await dan.client.v1.statuses.create({ status: '@ana hello' });
});
after(() => server.close());

const call = async <T = GroupedNotificationsResults>(method: string, path: string) => {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ana.token}` } });
  return { status: res.status, body: (await res.json()) as T, link: res.headers.get('link') };
};

describe('grouped notifications', () => {
  it('group likes, reposts and follows, naming each account and status once, through masto', async () => {
    const [ben, cat, dan] = others as [TestAccount, TestAccount, TestAccount];
    const result = await ana.client.v2.notifications.list();
    const groups = result.notificationGroups.map((g) => [g.type, g.notificationsCount, [...g.sampleAccountIds].sort()]);
    assert.deepEqual(groups, [
      ['mention', 1, [dan.id]],
      ['follow', 2, [ben.id, cat.id].sort()],
      ['reblog', 2, [ben.id, cat.id].sort()],
      ['favourite', 3, [ben.id, cat.id, dan.id].sort()],
    ]);
    const favourites = result.notificationGroups.find((g) => g.type === 'favourite')!;
    assert.equal(favourites.statusId, postId);
    assert.deepEqual(result.accounts.map((a) => a.username).sort(), ['ben', 'cat', 'dan'], 'each account once');
    assert.equal(result.statuses.filter((s) => s.id === postId).length, 1, 'the liked post once');
    assert.ok(Date.parse(favourites.latestPageNotificationAt!) > 0);
    assert.ok(favourites.pageMinId! <= favourites.pageMaxId!);
    // The v1 list tells the same groups.
    const v1 = await ana.client.v1.notifications.list();
    assert.equal(new Set(v1.filter((n) => n.type === 'favourite').map((n) => n.groupKey)).size, 1);
    assert.equal(v1.find((n) => n.type === 'favourite')!.groupKey, favourites.groupKey);
  });

  it('group only the types asked, give partial accounts when asked, and leave out unsupported types', async () => {
    const onlyLikes = await call('GET', '/api/v2/notifications?grouped_types[]=favourite');
    assert.equal(onlyLikes.body.notification_groups.filter((g) => g.type === 'follow').length, 2, 'follows one by one');
    const partial = await call('GET', '/api/v2/notifications?expand_accounts=partial_avatars');
    assert.ok(partial.body.partial_accounts?.length);
    for (const a of partial.body.partial_accounts ?? [])
      assert.deepEqual(Object.keys(a).sort(), ['acct', 'avatar', 'avatar_static', 'bot', 'id', 'locked', 'url']);
    const mentionsOnly = await call('GET', '/api/v2/notifications?supported_types[]=mention&supported_types[]=follow');
    assert.deepEqual(
      mentionsOnly.body.notification_groups.map((g) => g.type),
      ['mention', 'follow'],
    );
    assert.equal((await call('GET', '/api/v2/notifications?expand_accounts=everything')).status, 422);
  });

  it('are paged by groups', async () => {
    const first = await call('GET', '/api/v2/notifications?limit=2');
    assert.deepEqual(
      first.body.notification_groups.map((g) => g.type),
      ['mention', 'follow'],
    );
    const next = /<([^>]+)>; rel="next"/.exec(first.link ?? '')?.[1];
    assert.ok(next, first.link ?? 'no Link header');
    const second = await call('GET', new URL(next).pathname + new URL(next).search);
    assert.deepEqual(
      second.body.notification_groups.map((g) => [g.type, g.notifications_count]),
      [
        ['reblog', 2],
        ['favourite', 3],
      ],
    );
  });

  it('read one group and its accounts, count unread groups, and dismiss a group', async () => {
    const { body } = await call('GET', '/api/v2/notifications');
    const favourites = body.notification_groups.find((g) => g.type === 'favourite')!;
    const one = await ana.client.v2.notifications.$select(favourites.group_key).fetch();
    assert.equal(one.notificationGroups.length, 1);
    assert.equal(one.notificationGroups[0]!.notificationsCount, 3);
    const accounts = await ana.client.v2.notifications.$select(favourites.group_key).accounts.fetch();
    assert.deepEqual(accounts.map((a) => a.username).sort(), ['ben', 'cat', 'dan']);
    assert.deepEqual(await ana.client.v2.notifications.unreadCount.fetch(), { count: 4 });
    assert.deepEqual((await call<{ count: number }>('GET', '/api/v2/notifications/unread_count?limit=2')).body, { count: 2 });
    await ana.client.v2.notifications.$select(favourites.group_key).dismiss();
    const after = await call('GET', '/api/v2/notifications');
    assert.ok(!after.body.notification_groups.some((g) => g.type === 'favourite'));
    assert.equal((await call('GET', `/api/v2/notifications/${favourites.group_key}`)).status, 404);
    assert.equal((await call('GET', '/api/v2/notifications/ungrouped-nothing')).status, 404);
    await ana.client.v1.markers.create({ notifications: { lastReadId: after.body.notification_groups[0]!.most_recent_notification_id } });
    assert.deepEqual(await ana.client.v2.notifications.unreadCount.fetch(), { count: 0 });
  });
});
