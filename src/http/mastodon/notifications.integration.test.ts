import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

let server: TestServer;
let ann: TestAccount;
let bob: TestAccount;
let eve: TestAccount;

before(async () => {
  // With the workers: "notify me" notifications are sent by a job (an account may have many subscribers).
  server = await startTestServer({ STOA_STATUS_SEARCH: 'visible' }, { workers: true });
  [ann, bob, eve] = (await createTestAccounts(server, ['ann', 'bob', 'eve'])) as [TestAccount, TestAccount, TestAccount];
});
after(() => server.close());

describe('notifications', () => {
  it('tells of follows, mentions, favourites, reposts, new posts and edits, filtered by type', async () => {
    await bob.client.v1.accounts.$select(ann.id).follow({ notify: true });
    const post = await ann.client.v1.statuses.create({ status: 'hello world' });
    const mention = await bob.client.v1.statuses.create({ status: '@ann hi there' });
    await bob.client.v1.statuses.$select(post.id).favourite();
    await bob.client.v1.statuses.$select(post.id).reblog();
    await ann.client.v1.statuses.$select(post.id).update({ status: 'hello world, edited' });

    const all = await ann.client.v1.notifications.list();
    assert.deepEqual(all.map((n) => n.type).sort(), ['favourite', 'follow', 'mention', 'reblog'].sort());
    assert.equal(all.find((n) => n.type === 'mention')!.status.id, mention.id);
    assert.ok(all.every((n) => n.account.username === 'bob'));
    const bobs = await until('the subscriber told of the new post', async () => {
      const list = await bob.client.v1.notifications.list();
      return list.length >= 2 && list;
    });
    assert.deepEqual(bobs.map((n) => n.type).sort(), ['status', 'update'].sort(), 'a subscriber hears of new posts, a reposter of edits');

    const onlyMentions = await ann.client.v1.notifications.list({ types: ['mention'] });
    assert.deepEqual(
      onlyMentions.map((n) => n.type),
      ['mention'],
    );
    const noFavourites = await ann.client.v1.notifications.list({ excludeTypes: ['favourite', 'reblog'] });
    assert.deepEqual(noFavourites.map((n) => n.type).sort(), ['follow', 'mention']);

    const one = await ann.client.v1.notifications.$select(all[0]!.id).fetch();
    assert.equal(one.id, all[0]!.id);
    await ann.client.v1.notifications.$select(all[0]!.id).dismiss();
    await assert.rejects(ann.client.v1.notifications.$select(all[0]!.id).fetch(), (e: any) => e.statusCode === 404);
    await assert.rejects(
      bob.client.v1.notifications.$select(all[1]!.id).fetch(),
      (e: any) => e.statusCode === 404,
      "another's notification",
    );
  });

  it('counts unread notifications from the marker, and keeps markers', async () => {
    const count = async () =>
      (
        (await (
          await fetch(`${server.url}/api/v1/notifications/unread_count`, { headers: { authorization: `Bearer ${ann.token}` } })
        ).json()) as { count: number }
      ).count;
    const before = await count();
    assert.ok(before >= 3);
    const newest = (await ann.client.v1.notifications.list({ limit: 1 }))[0]!;
    const saved = await ann.client.v1.markers.create({ notifications: { lastReadId: newest.id } });
    assert.equal(saved.notifications?.lastReadId, newest.id);
    assert.equal(await count(), 0);
    await eve.client.v1.statuses.create({ status: '@ann ping' });
    assert.equal(await count(), 1);
    const markers = await ann.client.v1.markers.fetch({ timeline: ['notifications'] });
    assert.equal(markers.notifications?.lastReadId, newest.id);
  });

  it('stops for muted and blocked accounts and muted conversations, and clears', async () => {
    const post = await ann.client.v1.statuses.create({ status: 'quiet please' });
    await ann.client.v1.accounts.$select(eve.id).mute();
    await eve.client.v1.statuses.$select(post.id).favourite();
    assert.equal((await ann.client.v1.statuses.$select(post.id).mute()).muted, true, 'the status says its conversation is muted');
    await bob.client.v1.statuses.create({ status: '@ann in a muted thread', inReplyToId: post.id });
    const recent = await ann.client.v1.notifications.list({ limit: 3 });
    assert.ok(!recent.some((n) => n.status?.id === post.id && n.type === 'favourite'), 'no favourite from a muted account');
    assert.ok(!recent.some((n) => n.status?.content.includes('muted thread')), 'no mention in a muted conversation');
    await ann.client.v1.notifications.clear();
    assert.deepEqual(await ann.client.v1.notifications.list(), []);
  });
});

describe('search and hashtags', () => {
  it('finds accounts by prefix, hashtags, and posts by their words, within what the searcher may see', async () => {
    await ann.client.v1.statuses.create({ status: 'Chamomile tea is lovely #TeaTime' });
    await ann.client.v1.statuses.create({ status: 'secret chamomile for followers', visibility: 'private' });
    const byEve = await eve.client.v2.search.list({ q: 'CHAMOMILE', type: 'statuses' });
    assert.deepEqual(
      byEve.statuses.map((s) => s.content),
      [
        '<p>Chamomile tea is lovely <a href="http://stoa.test/tags/teatime" class="mention hashtag" rel="tag">#<span>TeaTime</span></a></p>',
      ],
    );
    const byAnn = await ann.client.v2.search.list({ q: 'chamomile', type: 'statuses' });
    assert.equal(byAnn.statuses.length, 2, 'the author finds her own followers-only post');
    const accounts = await eve.client.v2.search.list({ q: '@an', type: 'accounts' });
    assert.deepEqual(
      accounts.accounts.map((a) => a.username),
      ['ann'],
    );
    const tags = await eve.client.v2.search.list({ q: '#tea', type: 'hashtags' });
    assert.deepEqual(
      tags.hashtags.map((t) => t.name),
      ['TeaTime'],
    );
    const anonymous = await createRestAPIClient({ url: server.url }).v2.search.list({ q: 'chamomile' });
    assert.deepEqual(anonymous.statuses, [], 'post search is for signed-in members');
  });

  it('reads matches past the newest ones the searcher may not see, and pages through the rest', async () => {
    const [kit] = await createTestAccounts(server, ['kit']);
    const visible = [];
    for (let i = 0; i < 3; i++) visible.push((await ann.client.v1.statuses.create({ status: `quince jam number ${i}` })).id);
    // Newer matches that eve may not see: more than one batch of the index's matches.
    for (let i = 0; i < 260; i++) await kit!.client.v1.statuses.create({ status: `private quince ${i}`, visibility: 'private' });
    const all = await eve.client.v2.search.list({ q: 'quince', type: 'statuses' });
    assert.deepEqual(
      all.statuses.map((s) => s.id),
      [...visible].reverse(),
    );
    const first = await eve.client.v2.search.list({ q: 'quince', type: 'statuses', limit: 2 });
    assert.deepEqual(
      first.statuses.map((s) => s.id),
      [visible[2], visible[1]],
    );
    const older = await eve.client.v2.search.list({ q: 'quince', type: 'statuses', limit: 2, maxId: visible[1] });
    assert.deepEqual(
      older.statuses.map((s) => s.id),
      [visible[0]],
    );
    const offset = await eve.client.v2.search.list({ q: 'quince', type: 'statuses', limit: 2, offset: 2 });
    assert.deepEqual(
      offset.statuses.map((s) => s.id),
      [visible[0]],
    );
    assert.equal((await kit!.client.v2.search.list({ q: 'quince', type: 'statuses', limit: 40 })).statuses.length, 40, 'kit finds its own');
  });

  it('follows hashtags into the home timeline', async () => {
    const tag = await eve.client.v1.tags.$select('gardening').follow();
    assert.equal(tag.following, true);
    const post = await bob.client.v1.statuses.create({ status: 'Planting beans #Gardening' });
    const home = await eve.client.v1.timelines.home.list();
    assert.ok(home.some((s) => s.id === post.id));
    assert.deepEqual(
      (await eve.client.v1.followedTags.list()).map((t) => t.name),
      ['gardening'],
    );
    const timeline = await createRestAPIClient({ url: server.url }).v1.timelines.tag.$select('gardening').list();
    assert.deepEqual(
      timeline.map((s) => s.id),
      [post.id],
    );
    await eve.client.v1.tags.$select('gardening').unfollow();
    assert.equal((await eve.client.v1.tags.$select('gardening').fetch()).following, false);
  });

  it('pages with Link headers and max_id / min_id', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await eve.client.v1.statuses.create({ status: `page ${i}` })).id);
    const first = await fetch(`${server.url}/api/v1/accounts/${eve.id}/statuses?limit=2`);
    const firstIds = ((await first.json()) as { id: string }[]).map((s) => s.id);
    assert.deepEqual(firstIds, [mine[4], mine[3]]);
    const link = first.headers.get('link')!;
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    assert.match(next, new RegExp(`max_id=${mine[3]}`));
    const second = ((await (await fetch(`${server.url}${new URL(next).pathname}${new URL(next).search}`)).json()) as { id: string }[]).map(
      (s) => s.id,
    );
    assert.deepEqual(second, [mine[2], mine[1]]);
    const newer = (
      (await (await fetch(`${server.url}/api/v1/accounts/${eve.id}/statuses?limit=2&min_id=${mine[1]}`)).json()) as { id: string }[]
    ).map((s) => s.id);
    assert.deepEqual(newer, [mine[3], mine[2]]);
  });
});
