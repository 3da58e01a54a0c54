import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { manualClock } from '../../testing/browser.ts';
import { startTestServer, testEnv, type TestServer } from '../../testing/test-app.ts';
import { createApp, type App } from '../../app/create-app.ts';
import { loadConfig } from '../../config/index.ts';

/** A small deterministic generator, so that a failure can be replayed. */
function prng(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

describe('the home timeline cache', () => {
  const clock = manualClock();
  let server: TestServer;
  let people: TestAccount[];
  let stranger: TestAccount;
  before(async () => {
    server = await startTestServer({ STOA_HOME_CACHE_MB: '16' }, { clock });
    people = await createTestAccounts(server, ['ann', 'bob', 'cat', 'dan', 'eve']);
    // Nobody follows zed: zed's posts reach homes only through followed hashtags.
    [stranger] = (await createTestAccounts(server, ['zed'])) as [TestAccount];
    await people[4]!.client.v1.accounts.updateCredentials({ locked: true });
  });
  after(() => server.close());

  /** The same database read by a second app without the cache: what the page must be. */
  let reference: App;
  before(async () => {
    reference = await createApp(loadConfig(testEnv(server.config.dataDir, server.database, { STOA_HOME_CACHE_MB: '0' })), { clock });
    assert.equal(reference.services.homeCache, null);
  });
  after(() => reference.close());
  const freshHome = async (who: TestAccount, query: string) => {
    const res = await reference.fetch(
      new Request(`${server.url}/api/v1/timelines/home${query}`, { headers: { authorization: `Bearer ${who.token}` } }),
    );
    assert.equal(res.status, 200);
    return { body: await res.text(), link: res.headers.get('link') };
  };

  const home = async (who: TestAccount, query: string) => {
    const res = await fetch(`${server.url}/api/v1/timelines/home${query}`, { headers: { authorization: `Bearer ${who.token}` } });
    assert.equal(res.status, 200);
    return { body: await res.text(), link: res.headers.get('link') };
  };

  it('answers exactly what a fresh read answers, after every kind of change, and is used', async () => {
    const random = prng(7);
    const statuses: { id: string; author: TestAccount }[] = [];
    const queries = ['', '?limit=5'];
    const ops: Record<string, (actor: TestAccount) => Promise<unknown>> = {
      async post(actor) {
        const other = random.pick(people);
        const text = `${random.pick(['hello', 'news', 'a thought'])} ${random.next() < 0.3 ? '#stoa' : ''} ${random.next() < 0.3 ? `@${other.username}` : ''}`;
        const status = await actor.client.v1.statuses.create({
          status: text,
          visibility: random.pick(['public', 'public', 'unlisted', 'private', 'direct'] as const),
        });
        statuses.push({ id: status.id, author: actor });
      },
      async reply(actor) {
        const parent = random.pick(statuses);
        const status = await actor.client.v1.statuses.create({ status: `@${parent.author.username} indeed`, inReplyToId: parent.id });
        statuses.push({ id: status.id, author: actor });
      },
      async quote(actor) {
        const status = await actor.client.v1.statuses.create({ status: 'look at this', quotedStatusId: random.pick(statuses).id });
        statuses.push({ id: status.id, author: actor });
      },
      async stranger() {
        const status = await stranger.client.v1.statuses.create({ status: `from afar ${random.next() < 0.7 ? '#stoa' : ''}` });
        statuses.push({ id: status.id, author: stranger });
      },
      reblog: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).reblog(),
      unreblog: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).unreblog(),
      favourite: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).favourite(),
      unfavourite: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).unfavourite(),
      bookmark: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).bookmark(),
      muteThread: (actor) => actor.client.v1.statuses.$select(random.pick(statuses).id).mute(),
      async pin(actor) {
        const own = statuses.filter((s) => s.author === actor);
        if (own.length) await actor.client.v1.statuses.$select(random.pick(own).id).pin();
      },
      async edit(actor) {
        const own = statuses.filter((s) => s.author === actor);
        if (own.length)
          await actor.client.v1.statuses.$select(random.pick(own).id).update({ status: `edited ${random.next() < 0.5 ? '#stoa' : ''}` });
      },
      async delete(actor) {
        const own = statuses.filter((s) => s.author === actor);
        if (!own.length) return;
        const gone = random.pick(own);
        await actor.client.v1.statuses.$select(gone.id).remove();
        statuses.splice(statuses.indexOf(gone), 1);
      },
      follow: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).follow({ reblogs: random.next() < 0.8 }),
      unfollow: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).unfollow(),
      async authorize(actor) {
        for (const request of await actor.client.v1.followRequests.list())
          await actor.client.v1.followRequests.$select(request.id).authorize();
      },
      removeFollower: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).removeFromFollowers(),
      block: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).block(),
      unblock: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).unblock(),
      mute: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).mute({ duration: random.pick([0, 60, 300]) }),
      unmute: (actor) => actor.client.v1.accounts.$select(random.pick(people).id).unmute(),
      followTag: (actor) => actor.client.v1.tags.$select('stoa').follow(),
      unfollowTag: (actor) => actor.client.v1.tags.$select('stoa').unfollow(),
      rename: (actor) =>
        actor.client.v1.accounts.updateCredentials({ displayName: `${actor.username} ${Math.floor(random.next() * 100)}` }),
    };
    const weighted = [
      ...Object.keys(ops),
      'post',
      'post',
      'post',
      'follow',
      'follow',
      'follow',
      'reply',
      'favourite',
      'reblog',
      'stranger',
      'followTag',
    ];
    for (const person of people) await ops.post!(person);
    for (const person of people)
      for (const other of people) if (other !== person) await person.client.v1.accounts.$select(other.id).follow();

    let unrelatedHits = 0;
    for (let step = 0; step < 150; step++) {
      const name = random.pick(weighted);
      const actor = random.pick(people);
      // Refusals (a block in the way, a post one may not see) are part of the game: the state must still agree.
      await ops[name]!(actor).catch(() => undefined);
      clock.advance(random.next() < 0.1 ? 120_000 : Math.floor(random.next() * 5_000));
      for (const viewer of people) {
        for (const query of queries) {
          const hitsBefore = server.app.services.homeCache!.stats().hits;
          const served = await home(viewer, query);
          unrelatedHits += server.app.services.homeCache!.stats().hits - hitsBefore;
          const fresh = await freshHome(viewer, query);
          assert.deepEqual(
            served,
            fresh,
            `step ${step} (${name} by ${actor.username}): ${viewer.username}'s home${query} differs from a fresh read`,
          );
          const before = server.app.services.homeCache!.stats().hits;
          assert.deepEqual(await home(viewer, query), fresh);
          assert.equal(server.app.services.homeCache!.stats().hits, before + 1, 'an unchanged page is answered from the cache');
        }
      }
    }
    // Pages that a change did not concern were answered from the cache after it, too.
    assert.ok(unrelatedHits > 50, `the cache answered ${unrelatedHits} first reads after a change`);
  });
});
