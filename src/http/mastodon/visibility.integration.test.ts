import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { setColumns } from '../../testing/rows.ts';

// The visibility matrix: for each visibility and each relationship to the author, every read path answers
// exactly what Mastodon would. All read paths ask one policy module; this checks they all do.

type Viewer = 'anonymous' | 'stranger' | 'follower' | 'mentioned' | 'blocked' | 'muter';
type Vis = 'public' | 'unlisted' | 'private' | 'direct';

let server: TestServer;
let author: TestAccount;
let reposter: TestAccount;
const viewers = {} as Record<Exclude<Viewer, 'anonymous'>, TestAccount>;
const posts = {} as Record<Vis, mastodon.v1.Status>;
let repost: mastodon.v1.Status;

const clientOf = (viewer: Viewer) => (viewer === 'anonymous' ? createRestAPIClient({ url: server.url }) : viewers[viewer].client);
const ids = (list: { id: string }[]) => new Set(list.map((s) => s.id));
const which = (found: Set<string>) => (['public', 'unlisted', 'private', 'direct'] as Vis[]).filter((v) => found.has(posts[v].id));

before(async () => {
  server = await startTestServer();
  const created = await createTestAccounts(server, ['author', 'reposter', 'stranger', 'follower', 'mentioned', 'blocked', 'muter']);
  [author, reposter] = created as [TestAccount, TestAccount];
  for (const account of created.slice(2)) viewers[account.username as Exclude<Viewer, 'anonymous'>] = account;
  await viewers.follower.client.v1.accounts.$select(author.id).follow();
  await viewers.muter.client.v1.accounts.$select(author.id).follow();
  await viewers.muter.client.v1.accounts.$select(author.id).mute();
  await author.client.v1.accounts.$select(viewers.blocked.id).block();
  for (const visibility of ['public', 'unlisted', 'private', 'direct'] as Vis[]) {
    posts[visibility] = await author.client.v1.statuses.create({ status: `${visibility} post for @mentioned`, visibility });
  }
  repost = await reposter.client.v1.statuses.$select(posts.public.id).reblog();
});
after(() => server.close());

describe('visibility matrix', () => {
  it('single statuses: outsiders get the same 404 as for a post that never existed', async () => {
    const expected: Record<Viewer, Vis[]> = {
      anonymous: ['public', 'unlisted'],
      stranger: ['public', 'unlisted'],
      follower: ['public', 'unlisted', 'private'],
      mentioned: ['public', 'unlisted', 'private', 'direct'],
      blocked: [],
      muter: ['public', 'unlisted', 'private'],
    };
    for (const [viewer, visible] of Object.entries(expected) as [Viewer, Vis[]][]) {
      for (const visibility of ['public', 'unlisted', 'private', 'direct'] as Vis[]) {
        const res = await fetch(`${server.url}/api/v1/statuses/${posts[visibility].id}`, {
          headers: viewer === 'anonymous' ? {} : { authorization: `Bearer ${viewers[viewer].token}` },
        });
        const body = await res.json();
        if (visible.includes(visibility)) assert.equal(res.status, 200, `${viewer} sees the ${visibility} post`);
        else assert.deepEqual([res.status, body], [404, { error: 'Record not found' }], `${viewer} gets a 404 for the ${visibility} post`);
      }
    }
  });

  it('profiles list public, unlisted and (to followers) private posts, never direct ones', async () => {
    const expected: Record<Viewer, Vis[]> = {
      anonymous: ['public', 'unlisted'],
      stranger: ['public', 'unlisted'],
      follower: ['public', 'unlisted', 'private'],
      mentioned: ['public', 'unlisted', 'private'],
      blocked: [],
      muter: ['public', 'unlisted', 'private'],
    };
    for (const [viewer, visible] of Object.entries(expected) as [Viewer, Vis[]][]) {
      const list = await clientOf(viewer).v1.accounts.$select(author.id).statuses.list({ limit: 40 });
      assert.deepEqual(which(ids(list)), visible, viewer);
    }
  });

  it('the public timeline shows public posts, minus blocks and mutes', async () => {
    const expected: Record<Viewer, Vis[]> = {
      anonymous: ['public'],
      stranger: ['public'],
      follower: ['public'],
      mentioned: ['public'],
      blocked: [],
      muter: [],
    };
    for (const [viewer, visible] of Object.entries(expected) as [Viewer, Vis[]][]) {
      const list = await clientOf(viewer).v1.timelines.public.list({ local: true, limit: 40 });
      assert.deepEqual(which(ids(list)), visible, viewer);
    }
  });

  it("home timelines hold followed accounts' posts, never direct ones, minus mutes", async () => {
    assert.deepEqual(which(ids(await viewers.follower.client.v1.timelines.home.list({ limit: 40 }))), ['public', 'unlisted', 'private']);
    assert.deepEqual(which(ids(await viewers.muter.client.v1.timelines.home.list({ limit: 40 }))), []);
    assert.deepEqual(which(ids(await viewers.stranger.client.v1.timelines.home.list({ limit: 40 }))), []);
    assert.deepEqual(which(ids(await author.client.v1.timelines.home.list({ limit: 40 }))), ['public', 'unlisted', 'private']);
  });

  it('reposts show only where the reposted post is visible', async () => {
    await viewers.stranger.client.v1.accounts.$select(reposter.id).follow();
    await viewers.blocked.client.v1.accounts.$select(reposter.id).follow();
    const strangerHome = await viewers.stranger.client.v1.timelines.home.list({ limit: 40 });
    assert.ok(ids(strangerHome).has(repost.id), 'a stranger following the reposter sees the repost');
    const blockedHome = await viewers.blocked.client.v1.timelines.home.list({ limit: 40 });
    assert.ok(!ids(blockedHome).has(repost.id), 'someone the author blocked does not, even through a repost');
    const reposterProfile = await viewers.blocked.client.v1.accounts.$select(reposter.id).statuses.list();
    assert.ok(!ids(reposterProfile).has(repost.id));
  });

  it('threads show only the replies the viewer may see', async () => {
    const reply = await viewers.follower.client.v1.statuses.create({
      status: 'followers-only reply',
      inReplyToId: posts.public.id,
      visibility: 'private',
    });
    const open = await viewers.stranger.client.v1.statuses.create({ status: 'public reply', inReplyToId: posts.public.id });
    const byStranger = await viewers.stranger.client.v1.statuses.$select(posts.public.id).context.fetch();
    assert.deepEqual([...ids(byStranger.descendants)], [open.id]);
    const byFollowerAuthor = await viewers.follower.client.v1.statuses.$select(posts.public.id).context.fetch();
    assert.deepEqual([...ids(byFollowerAuthor.descendants)].sort(), [reply.id, open.id].sort());
  });

  it("a suspended author's posts appear nowhere, not even through reposts", async () => {
    await setColumns(server.app.db, 'accounts', { id: author.id }, { suspended_at: new Date().toISOString() });
    try {
      for (const viewer of ['anonymous', 'follower', 'mentioned'] as Viewer[]) {
        const client = clientOf(viewer);
        await assert.rejects(client.v1.statuses.$select(posts.public.id).fetch(), (e: any) => e.statusCode === 404, viewer);
        const home = viewer === 'anonymous' ? [] : await client.v1.timelines.home.list({ limit: 40 });
        const pub = await client.v1.timelines.public.list({ limit: 40 });
        for (const list of [home, pub]) {
          assert.deepEqual(which(ids(list)), [], viewer);
          assert.ok(!ids(list).has(repost.id), `${viewer} sees no repost of it`);
        }
      }
    } finally {
      await setColumns(server.app.db, 'accounts', { id: author.id }, { suspended_at: null });
    }
  });
});

describe('the social graph', () => {
  it('follows, with requests for locked accounts, and relationships tell it', async () => {
    const [locked, fan] = (await createTestAccounts(server, ['locked', 'fan'])) as [TestAccount, TestAccount];
    await locked.client.v1.accounts.updateCredentials({ locked: true });
    const requested = await fan.client.v1.accounts.$select(locked.id).follow({ reblogs: false });
    assert.deepEqual([requested.following, requested.requested], [false, true]);
    const pending = await locked.client.v1.followRequests.list();
    assert.deepEqual(
      pending.map((a) => a.username),
      ['fan'],
    );
    const accepted = await locked.client.v1.followRequests.$select(fan.id).authorize();
    assert.equal(accepted.followedBy, true);
    const [rel] = await fan.client.v1.accounts.relationships.fetch({ id: [locked.id] });
    assert.deepEqual([rel!.following, rel!.showingReblogs, rel!.requested], [true, false, false]);
    assert.deepEqual(
      (await fan.client.v1.accounts.$select(locked.id).followers.list()).map((a) => a.username),
      ['fan'],
    );
    assert.deepEqual(
      (await fan.client.v1.accounts.$select(fan.id).following.list()).map((a) => a.username),
      ['locked'],
    );
    const counted = await fan.client.v1.accounts.$select(locked.id).fetch();
    assert.deepEqual(
      [counted.followersCount, (await fan.client.v1.accounts.verifyCredentials()).followingCount],
      [1, 1],
      'profile counters follow the graph',
    );

    await locked.client.v1.accounts.updateCredentials({ hideCollections: true });
    assert.deepEqual(await fan.client.v1.accounts.$select(locked.id).followers.list(), [], 'hidden followers');
    assert.equal((await locked.client.v1.accounts.$select(locked.id).followers.list()).length, 1, 'but not from their owner');

    const removed = (await locked.client.v1.accounts.$select(fan.id).removeFromFollowers()) as unknown as mastodon.v1.Relationship;
    assert.equal(removed.followedBy, false);
    const blocked = await locked.client.v1.accounts.$select(fan.id).block();
    assert.equal(blocked.blocking, true);
    await assert.rejects(fan.client.v1.accounts.$select(locked.id).follow(), (e: any) => e.statusCode === 403);
    assert.deepEqual(
      (await locked.client.v1.blocks.list()).map((a) => a.username),
      ['fan'],
    );
    const muted = await locked.client.v1.accounts.$select(author.id).mute({ notifications: false, duration: 3600 });
    assert.deepEqual([muted.muting, muted.mutingNotifications], [true, false]);
    assert.deepEqual(
      (await locked.client.v1.mutes.list()).map((a) => a.username),
      ['author'],
    );
    await locked.client.v1.domainBlocks.create({ domain: 'spam.example' });
    assert.deepEqual(await locked.client.v1.domainBlocks.list(), ['spam.example']);
  });
});

describe('operator settings', () => {
  it('can require sign-in for the public and hashtag timelines', async () => {
    const closed = await startTestServer({ STOA_PUBLIC_TIMELINES: 'signed-in' });
    try {
      const [member] = (await createTestAccounts(closed, ['member'])) as [TestAccount];
      assert.equal((await fetch(`${closed.url}/api/v1/timelines/public`)).status, 401);
      assert.equal((await fetch(`${closed.url}/api/v1/timelines/tag/stoa`)).status, 401);
      assert.equal(
        (await fetch(`${closed.url}/api/v1/timelines/public`, { headers: { authorization: `Bearer ${member.token}` } })).status,
        200,
      );
    } finally {
      await closed.close();
    }
  });
});
