import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Finding and showing people, through masto and raw HTTP: private notes, endorsements, featured hashtags,
// familiar followers, the profile directory and follow suggestions (with dismissals), and their refusals.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
let cat: TestAccount;
let dan: TestAccount;
let eve: TestAccount;

before(async () => {
  server = await startTestServer();
  [ana, ben, cat, dan, eve] = (await createTestAccounts(server, ['ana', 'ben', 'cat', 'dan', 'eve'])) as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
});
after(() => server.close());

const call = (method: string, path: string, token: string, body?: string | Record<string, unknown>) =>
  apiCall(server, method, path, token, body);
const names = (accounts: { username: string }[]) => accounts.map((a) => a.username);

describe('private notes on accounts', () => {
  it('are set, shown only to their writer in the relationship, and removed with an empty comment', async () => {
    const set = await ana.client.v1.accounts.$select(ben.id).note.create({ comment: 'met at the climbing gym' });
    assert.equal(set.note, 'met at the climbing gym');
    const [rel] = await ana.client.v1.accounts.relationships.fetch({ id: [ben.id] });
    assert.equal(rel!.note, 'met at the climbing gym');
    const [theirs] = await cat.client.v1.accounts.relationships.fetch({ id: [ben.id] });
    assert.equal(theirs!.note, '', 'nobody else reads it');
    const form = await call('POST', `/api/v1/accounts/${ben.id}/note`, ana.token, 'comment=');
    assert.equal(form.status, 200);
    assert.equal(form.body.note, '');
    const tooLong = await call('POST', `/api/v1/accounts/${ben.id}/note`, ana.token, { comment: 'x'.repeat(2001) });
    assert.equal(tooLong.status, 422);
    assert.equal(tooLong.body.details.comment[0].error, 'ERR_TOO_LONG');
    assert.equal((await call('POST', '/api/v1/accounts/nobody/note', ana.token, { comment: 'x' })).status, 404);
  });
});

describe('endorsements', () => {
  it('feature accounts the member follows, publicly, and end with the follow', async () => {
    const refused = await call('POST', `/api/v1/accounts/${cat.id}/pin`, ana.token);
    assert.equal(refused.status, 422, 'only an account the member follows');
    await ana.client.v1.accounts.$select(cat.id).follow();
    await ana.client.v1.accounts.$select(dan.id).follow();
    const pinned = await ana.client.v1.accounts.$select(cat.id).pin();
    assert.equal(pinned.endorsed, true);
    await ana.client.v1.accounts.$select(dan.id).endorse();
    assert.deepEqual(names(await ana.client.v1.endorsements.list()).sort(), ['cat', 'dan']);
    assert.deepEqual(names(await eve.client.v1.accounts.$select(ana.id).endorsements.list()).sort(), ['cat', 'dan']);
    const anonymous = await fetch(`${server.url}/api/v1/accounts/${ana.id}/endorsements/`);
    assert.deepEqual(names((await anonymous.json()) as { username: string }[]).sort(), ['cat', 'dan'], 'public, with a trailing slash too');

    await ana.client.v1.accounts.$select(dan.id).unfollow();
    assert.deepEqual(names(await ana.client.v1.endorsements.list()), ['cat'], 'an unfollow ends the endorsement');
    const unpinned = await ana.client.v1.accounts.$select(cat.id).unpin();
    assert.equal(unpinned.endorsed, false);
    assert.deepEqual(await ana.client.v1.endorsements.list(), []);
  });
});

describe('featured hashtags', () => {
  it('are featured with their use counts, suggested from recent posts, public, and removed', async () => {
    await ben.client.v1.statuses.create({ status: 'out on the #Bouldering wall' });
    await ben.client.v1.statuses.create({ status: 'more #bouldering and some #knitting' });
    await ben.client.v1.statuses.create({ status: 'private #bouldering', visibility: 'private' });
    const suggested = await ben.client.v1.featuredTags.suggestions.list();
    assert.equal(suggested[0]!.name.toLowerCase(), 'bouldering', 'the most used first');
    assert.ok(suggested.some((t) => t.name === 'knitting'));

    const tag = await ben.client.v1.featuredTags.create({ name: '#bouldering' });
    assert.equal(tag.name.toLowerCase(), 'bouldering');
    assert.equal(tag.statusesCount, 2, 'public and unlisted posts only');
    assert.match(String(tag.lastStatusAt), /^\d{4}-\d{2}-\d{2}$/);
    const again = await call('POST', '/api/v1/featured_tags', ben.token, 'name=Bouldering');
    assert.equal(again.status, 422);
    assert.equal(again.body.details.name[0].error, 'ERR_TAKEN');
    assert.equal((await call('POST', '/api/v1/featured_tags', ben.token, { name: 'not a tag!' })).status, 422);
    assert.ok(!(await ben.client.v1.featuredTags.suggestions.list()).some((t) => t.name.toLowerCase() === 'bouldering'));

    const shown = await eve.client.v1.accounts.$select(ben.id).featuredTags.list();
    assert.deepEqual(
      shown.map((t) => t.id),
      [tag.id],
    );
    assert.equal((await call('DELETE', `/api/v1/featured_tags/${tag.id}`, eve.token)).status, 404, "another member's");
    await ben.client.v1.featuredTags.$select(tag.id).remove();
    assert.deepEqual(await ben.client.v1.featuredTags.list(), []);
  });
});

describe('familiar followers, the directory and suggestions', () => {
  it('tell whom of the people one follows follow an account', async () => {
    // eve follows ben and cat; ben and cat follow dan; cat hides her network.
    await eve.client.v1.accounts.$select(ben.id).follow();
    await eve.client.v1.accounts.$select(cat.id).follow();
    await ben.client.v1.accounts.$select(dan.id).follow();
    await cat.client.v1.accounts.$select(dan.id).follow();
    await cat.client.v1.accounts.updateCredentials({ hideCollections: true });
    // masto types the parameter as a bare array, which it would send as `0=...`; Mastodon reads `id[]`.
    const [familiar] = await eve.client.v1.accounts.familiarFollowers.fetch({ id: [dan.id] } as unknown as string[]);
    assert.equal(familiar!.id, dan.id);
    assert.deepEqual(names(familiar!.accounts), ['ben'], 'not cat, who hides whom she follows');
    const raw = await call('GET', `/api/v1/accounts/familiar_followers?id[]=${dan.id}&id[]=${ana.id}`, eve.token);
    assert.equal(raw.status, 200);
    assert.deepEqual(
      (raw.body as { id: string }[]).map((f) => f.id),
      [dan.id, ana.id],
    );
  });

  it('list discoverable accounts that posted, by activity or age, and suggest friends of friends first', async () => {
    for (const who of [ben, dan]) await who.client.v1.accounts.updateCredentials({ discoverable: true });
    await dan.client.v1.statuses.create({ status: 'hello directory' });
    const active = await eve.client.v1.directory.list({ order: 'active', local: true });
    assert.deepEqual(names(active), ['dan', 'ben'], 'the latest poster first; those not discoverable are left out');
    const newest = await call('GET', '/api/v1/directory?order=new&limit=1', eve.token);
    assert.deepEqual(names(newest.body), ['dan']);
    assert.equal((await call('GET', '/api/v1/directory?order=oldest', eve.token)).status, 422);
    const anonymous = await fetch(`${server.url}/api/v1/directory?local=true`);
    assert.equal(anonymous.status, 200);

    // eve follows ben (who follows dan, discoverable): dan is a friend of a friend.
    const suggestions = await eve.client.v2.suggestions.list();
    assert.equal(suggestions[0]!.account.username, 'dan');
    assert.deepEqual(suggestions[0]!.sources, ['friends_of_friends']);
    assert.ok(!suggestions.some((s) => s.account.id === ben.id), 'never someone followed already');
    assert.equal((await call('DELETE', `/api/v1/suggestions/${dan.id}`, eve.token)).status, 200);
    assert.ok(!(await eve.client.v2.suggestions.list()).some((s) => s.account.id === dan.id), 'a dismissed suggestion is gone');
    const v1 = await call('GET', '/api/v1/suggestions', ana.token);
    assert.equal(v1.status, 200);
    assert.ok(names(v1.body).includes('ben'), 'the most followed discoverable accounts fill in');
    await ana.client.v1.accounts.$select(ben.id).block();
    assert.ok(!names((await call('GET', '/api/v1/suggestions', ana.token)).body).includes('ben'), 'never a blocked account');
    assert.ok(!names(await ana.client.v1.directory.list({})).includes('ben'), 'nor in the directory');
  });
});
