import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findAccountByUri } from '../../domain/accounts/accounts.repo.ts';
import type { Change } from '../../domain/changes.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { drained } from '../../testing/queues.ts';
import { deliverer } from '../../testing/signed-delivery.ts';
import { row, rows } from '../../testing/rows.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';

// Every social action has one write path: an action taken through the API by a local account and the same
// action arriving from another server (a signed delivery to the inbox) enter the same domain command. Here
// each action is taken both ways, twice, against the same local account or post, and both ways must leave
// the same rows and counters, exactly one notification, and tell the same changes.

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;

let a: TestServer; // where the actions land
let b: TestServer; // rob's server
let lia: TestAccount; // on A, unlocked: the target
let lou: TestAccount; // on A, locked
let amy: TestAccount; // on A: acts through the API
let robUri: string;
let robId: string; // rob's account on A
let post: { id: string; uri: string }; // lia's post the actions are about
let deliver: (activity: Record<string, unknown>) => Promise<void>;

before(async () => {
  a = await startFederatedServer('127.0.0.12', ['127.0.0.13']);
  b = await startFederatedServer('127.0.0.13', ['127.0.0.12']);
  [lia, lou, amy] = (await createTestAccounts(a, ['lia', 'lou', 'amy'])) as [TestAccount, TestAccount, TestAccount];
  await createTestAccounts(b, ['rob']);
  await lou.client.v1.accounts.updateCredentials({ locked: true });
  const rob = await deliverer(b, 'rob', a);
  robUri = rob.actorUri;
  deliver = async (activity) => {
    const response = await rob.deliver({ '@context': [AS, { quoteUrl: 'as:quoteUrl' }], actor: robUri, ...activity });
    assert.equal(response.status, 202, `${String(activity.type)} was refused: ${await response.text()}`);
    // The inbox queues the activity: once the queue is empty it has been handled (and any answer sent).
    await drained(a.app.db, 'fedify');
  };
  // A knows rob (and his profile is fresh), so that reading him is no part of the actions below.
  const found = await amy.client.v2.search.list({ q: `@rob@${b.config.domain}`, resolve: true, type: 'accounts' });
  robId = found.accounts[0]!.id;
  assert.equal((await findAccountByUri(a.app.db.read, robUri))?.id, robId);
  const created = await lia.client.v1.statuses.create({ status: 'a post to act on', visibility: 'public' });
  post = { id: created.id, uri: created.uri };
});

after(async () => {
  await b?.close();
  await a?.close();
});

/** What an action leaves behind, as seen for one actor: rows, counters and notifications. */
type Facts = Record<string, number | boolean | string | null>;

/** The changes A tells while `run` runs, with ids replaced by who or what they are. */
async function changesDuring(run: () => Promise<void>, roles: () => Map<string, string>): Promise<string[]> {
  const batches: (readonly Change[])[] = [];
  const stop = a.app.services.changes.subscribe((batch) => batches.push(batch));
  try {
    await run();
  } finally {
    stop();
  }
  const names = roles();
  const told = new Set<string>();
  for (const change of batches.flat()) {
    // Which queues were woken is about transport (the API's action federates, the inbox's does not).
    if (change.kind === 'queued') continue;
    const ids = change.kind === 'status-posted' ? [change.statusId, change.authorId] : 'ids' in change ? change.ids : [];
    const known = ids.flatMap((id) => names.get(id) ?? []);
    if (ids.length && !known.length) continue; // something else A did meanwhile
    told.add(`${change.kind}:${[...new Set(known)].sort().join(',')}`);
  }
  return [...told].sort();
}

/** The difference of two observations: counters as deltas, the rest as they are after. */
function delta(before: Facts, after: Facts): Facts {
  return Object.fromEntries(
    Object.entries(after).map(([key, value]) => [
      key,
      typeof value === 'number' && typeof before[key] === 'number' ? value - before[key] : value,
    ]),
  );
}

interface SharedAction {
  /** Takes the action through the API, as amy. */
  readonly api: () => Promise<unknown>;
  /**
   * The same action as rob's server sends it, the `n`th time: a server that sends an action again gives
   * the activity a new id (Fedify itself drops a second copy of the same id), so each delivery is new.
   */
  readonly activity: (n: number) => Record<string, unknown>;
  /** What the action leaves for one actor. */
  readonly observe: (actorId: string) => Promise<Facts>;
  /** Ids the changes may name besides the two actors, the target and the post (a new post's, say). */
  readonly roles?: (actorId: string) => Promise<[string, string][]>;
}

/**
 * Takes an action both ways, twice each (a repeated request, a redelivered activity), and requires the
 * same facts and the same changes from both.
 */
async function bothWays(action: SharedAction): Promise<{ api: Facts; inbox: Facts }> {
  const results: { facts: Facts; changes: string[] }[] = [];
  let deliveries = 0;
  for (const [actorId, take] of [
    [amy.id, action.api],
    [robId, () => deliver(action.activity(deliveries++))],
  ] as const) {
    const before = await action.observe(actorId);
    const extra = new Map<string, string>();
    const roles = () =>
      new Map<string, string>([[actorId, 'actor'], [lia.id, 'target'], [lou.id, 'locked target'], [post.id, 'post'], ...extra]);
    const changes = await changesDuring(async () => {
      await take();
      await take();
      for (const [id, role] of (await action.roles?.(actorId)) ?? []) extra.set(id, role);
    }, roles);
    results.push({ facts: delta(before, await action.observe(actorId)), changes });
  }
  const [api, inbox] = results as [(typeof results)[0], (typeof results)[0]];
  assert.deepEqual(inbox.facts, api.facts, 'the same rows, counters and notifications both ways');
  assert.deepEqual(inbox.changes, api.changes, 'the same changes told both ways');
  return { api: api.facts, inbox: inbox.facts };
}

const notifications = async (viewer: TestAccount, type: string, from: string) =>
  (await viewer.client.v1.notifications.list({ types: [type as 'follow'], limit: 80 })).filter((n) => n.account.id === from).length;
const statusCounts = async (viewer: TestAccount, id: string) => {
  const status = await viewer.client.v1.statuses.$select(id).fetch();
  return { favourites: status.favouritesCount, reblogs: status.reblogsCount, replies: status.repliesCount };
};
const accountCounts = async (id: string) => {
  const account = await lia.client.v1.accounts.$select(id).fetch();
  return { followers: account.followersCount, following: account.followingCount, statuses: account.statusesCount };
};
const rowExists = async (table: 'follows' | 'follow_requests' | 'blocks', accountId: string, targetId: string) =>
  (await row(a.app.db, table, { account_id: accountId, target_account_id: targetId })) !== undefined;

/** The latest status of an account replying to lia's post, if any. */
const replyOf = async (actorId: string) =>
  (await rows(a.app.db, 'statuses', { account_id: actorId, in_reply_to_id: post.id })).sort((x, y) => (x.id < y.id ? 1 : -1))[0];

/** A request made twice with this Idempotency-Key makes one post, as an activity delivered twice does. */
const once = (key: string) => ({ requestInit: { headers: { 'Idempotency-Key': key } } });

const followActivity = (object: string, id: string) => ({ id: `${robUri}#follows/${id}`, type: 'Follow', actor: robUri, object });

describe('one write path: the same action from the API and from another server', () => {
  it('follows an unlocked account: a follow at once, counted, one notification', async () => {
    const facts = await bothWays({
      api: () => amy.client.v1.accounts.$select(lia.id).follow(),
      activity: (n) => followActivity(`${a.url}/users/lia`, `lia/${n}`),
      observe: async (actorId) => ({
        follows: await rowExists('follows', actorId, lia.id),
        notifications: await notifications(lia, 'follow', actorId),
        ...(await accountCounts(lia.id)),
      }),
    });
    assert.deepEqual(facts.api, { follows: true, notifications: 1, followers: 1, following: 0, statuses: 0 });
  });

  it('asks to follow a locked account: one request, one notification, nothing counted yet', async () => {
    const facts = await bothWays({
      api: () => amy.client.v1.accounts.$select(lou.id).follow(),
      activity: (n) => followActivity(`${a.url}/users/lou`, `lou/${n}`),
      observe: async (actorId) => ({
        requested: await rowExists('follow_requests', actorId, lou.id),
        notifications: await notifications(lou, 'follow_request', actorId),
        followers: (await accountCounts(lou.id)).followers,
      }),
    });
    assert.deepEqual(facts.api, { requested: true, notifications: 1, followers: 0 });
  });

  it('takes back a follow: the follow, its count and its notification go', async () => {
    const facts = await bothWays({
      api: () => amy.client.v1.accounts.$select(lia.id).unfollow(),
      activity: (n) => ({ id: `${robUri}#follows/lia/undo/${n}`, type: 'Undo', object: followActivity(`${a.url}/users/lia`, 'lia/1') }),
      observe: async (actorId) => ({
        following: await rowExists('follows', actorId, lia.id),
        notifications: await notifications(lia, 'follow', actorId),
        followers: (await accountCounts(lia.id)).followers,
      }),
    });
    assert.deepEqual(facts.api, { following: false, notifications: -1, followers: -1 });
  });

  it('likes a post: counted once, one notification; takes it back: all of it goes', async () => {
    const observe = async (actorId: string) => ({
      liked: (await row(a.app.db, 'favourites', { account_id: actorId, status_id: post.id })) !== undefined,
      notifications: await notifications(lia, 'favourite', actorId),
      favourites: (await statusCounts(lia, post.id)).favourites,
    });
    const like = { id: `${robUri}#likes/1`, type: 'Like', actor: robUri, object: post.uri };
    const liked = await bothWays({
      api: () => amy.client.v1.statuses.$select(post.id).favourite(),
      activity: (n) => ({ ...like, id: `${like.id}/${n}` }),
      observe,
    });
    assert.deepEqual(liked.api, { liked: true, notifications: 1, favourites: 1 });
    const unliked = await bothWays({
      api: () => amy.client.v1.statuses.$select(post.id).unfavourite(),
      activity: (n) => ({ id: `${robUri}#likes/1/undo/${n}`, type: 'Undo', object: like }),
      observe,
    });
    assert.deepEqual(unliked.api, { liked: false, notifications: -1, favourites: -1 });
  });

  it('reposts a post: one repost, counted for both, one notification; takes it back: all of it goes', async () => {
    const observe = async (actorId: string) => ({
      reposted: (await row(a.app.db, 'statuses', { account_id: actorId, reblog_of_id: post.id })) !== undefined,
      notifications: await notifications(lia, 'reblog', actorId),
      reblogs: (await statusCounts(lia, post.id)).reblogs,
      posts: (await accountCounts(actorId)).statuses,
    });
    const roles = async (actorId: string): Promise<[string, string][]> => {
      const repost = await row(a.app.db, 'statuses', { account_id: actorId, reblog_of_id: post.id });
      return repost ? [[repost.id, 'repost']] : [];
    };
    const announce = {
      id: `${robUri}/statuses/repost-1/activity`,
      type: 'Announce',
      actor: robUri,
      object: post.uri,
      to: [PUBLIC],
      published: new Date().toISOString(),
    };
    let repostIds: [string, string][] = [];
    const reposted = await bothWays({
      api: () => amy.client.v1.statuses.$select(post.id).reblog(),
      activity: (n) => ({ ...announce, id: n === 0 ? announce.id : `${announce.id}/${n}` }),
      observe,
      roles: async (actorId) => {
        repostIds = [...repostIds, ...(await roles(actorId))];
        return roles(actorId);
      },
    });
    assert.deepEqual(reposted.api, { reposted: true, notifications: 1, reblogs: 1, posts: 1 });
    const undone = await bothWays({
      api: () => amy.client.v1.statuses.$select(post.id).unreblog(),
      activity: (n) => ({ id: `${robUri}/statuses/repost-1/undo/${n}`, type: 'Undo', object: announce }),
      observe,
      roles: () => Promise.resolve(repostIds),
    });
    assert.deepEqual(undone.api, { reposted: false, notifications: -1, reblogs: -1, posts: -1 });
  });

  it('replies with a mention, edits the reply, then deletes it: the same rows, counts and one notification', async () => {
    const noteUri = `${robUri}/statuses/reply-1`;
    const note = (content: string) => ({
      id: noteUri,
      type: 'Note',
      attributedTo: robUri,
      inReplyTo: post.uri,
      content,
      to: [PUBLIC],
      cc: [`${a.url}/users/lia`],
      tag: [{ type: 'Mention', href: `${a.url}/users/lia`, name: `@lia@${a.config.domain}` }],
      published: new Date().toISOString(),
    });
    const observe = async (actorId: string) => {
      const reply = await replyOf(actorId);
      return {
        replied: reply !== undefined,
        edited: reply?.edited_at != null,
        versions: reply ? (await rows(a.app.db, 'status_edits', { status_id: reply.id })).length : 0,
        mentioned: reply ? (await rows(a.app.db, 'mentions', { status_id: reply.id })).map((m) => m.account_id === lia.id).join() : '',
        notifications: await notifications(lia, 'mention', actorId),
        replies: (await statusCounts(lia, post.id)).replies,
        posts: (await accountCounts(actorId)).statuses,
      };
    };
    const replyRoles = async (actorId: string): Promise<[string, string][]> => {
      const reply = await replyOf(actorId);
      return reply ? [[reply.id, 'reply']] : [];
    };
    const seen = new Map<string, [string, string][]>();
    const remember = async (actorId: string) => {
      const roles = [...(seen.get(actorId) ?? []), ...(await replyRoles(actorId))];
      seen.set(actorId, roles);
      return roles;
    };
    const replied = await bothWays({
      api: () => amy.client.v1.statuses.create({ status: '@lia a reply', inReplyToId: post.id }, once('reply-1')),
      activity: (n) => ({
        id: `${noteUri}/activity/${n}`,
        type: 'Create',
        to: [PUBLIC],
        cc: [`${a.url}/users/lia`],
        object: note('<p>a reply</p>'),
      }),
      observe,
      roles: remember,
    });
    assert.deepEqual(replied.api, { replied: true, edited: false, versions: 0, mentioned: 'true', notifications: 1, replies: 1, posts: 1 });

    const edited = await bothWays({
      api: async () => amy.client.v1.statuses.$select((await replyOf(amy.id))!.id).update({ status: '@lia a reply, edited' }),
      activity: (n) => ({
        id: `${noteUri}#updates/${n}`,
        type: 'Update',
        to: [PUBLIC],
        object: { ...note('<p>a reply, edited</p>'), updated: new Date().toISOString() },
      }),
      observe,
      roles: remember,
    });
    assert.deepEqual(edited.api, { replied: true, edited: true, versions: 2, mentioned: 'true', notifications: 0, replies: 0, posts: 0 });

    const deleted = await bothWays({
      api: async () => {
        const reply = await replyOf(amy.id);
        if (reply) await amy.client.v1.statuses.$select(reply.id).remove();
      },
      activity: (n) => ({ id: `${noteUri}#delete/${n}`, type: 'Delete', to: [PUBLIC], object: { id: noteUri, type: 'Tombstone' } }),
      observe,
      roles: (actorId) => Promise.resolve(seen.get(actorId) ?? []),
    });
    assert.deepEqual(deleted.api, {
      replied: false,
      edited: false,
      versions: -2,
      mentioned: '',
      notifications: -1,
      replies: -1,
      posts: -1,
    });
  });

  it('quotes a post: one quote notification, counted on the quoted post', async () => {
    const quoteOf = (actorId: string) => row(a.app.db, 'statuses', { account_id: actorId, quote_of_id: post.id });
    const observe = async (actorId: string) => ({
      quoted: (await quoteOf(actorId)) !== undefined,
      notifications: await notifications(lia, 'quote', actorId),
      quotes: (await lia.client.v1.statuses.$select(post.id).fetch()).quotesCount,
    });
    const facts = await bothWays({
      api: () => amy.client.v1.statuses.create({ status: 'look at this', quotedStatusId: post.id }, once('quote-1')),
      activity: (n) => {
        const id = `${robUri}/statuses/quote-1`;
        return {
          id: `${id}/activity/${n}`,
          type: 'Create',
          to: [PUBLIC],
          object: { id, type: 'Note', attributedTo: robUri, content: '<p>look at this</p>', quoteUrl: post.uri, to: [PUBLIC] },
        };
      },
      observe,
      roles: async (actorId) => {
        const quote = await quoteOf(actorId);
        return quote ? [[quote.id, 'quote']] : [];
      },
    });
    assert.deepEqual(facts.api, { quoted: true, notifications: 1, quotes: 1 });
  });

  it('blocks an account, then takes the block back', async () => {
    const observe = async (actorId: string) => ({
      blocking: await rowExists('blocks', actorId, lia.id),
      following: await rowExists('follows', actorId, lia.id),
    });
    await amy.client.v1.accounts.$select(lia.id).follow();
    await deliver(followActivity(`${a.url}/users/lia`, 'lia-again'));
    const blocked = await bothWays({
      api: () => amy.client.v1.accounts.$select(lia.id).block(),
      activity: (n) => ({ id: `${robUri}#blocks/lia/${n}`, type: 'Block', object: `${a.url}/users/lia` }),
      observe,
    });
    assert.deepEqual(blocked.api, { blocking: true, following: false });
    const unblocked = await bothWays({
      api: () => amy.client.v1.accounts.$select(lia.id).unblock(),
      activity: (n) => ({
        id: `${robUri}#blocks/lia/undo/${n}`,
        type: 'Undo',
        object: { id: `${robUri}#blocks/lia`, type: 'Block', actor: robUri, object: `${a.url}/users/lia` },
      }),
      observe,
    });
    assert.deepEqual(unblocked.api, { blocking: false, following: false });
  });
});
