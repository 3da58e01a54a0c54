import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Lists through a client library (masto) and raw HTTP: the lists, their accounts, their timelines with
// each replies policy, exclusive lists leaving the home timeline, and every refusal.

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
  for (const other of [ben, cat, dan]) await ana.client.v1.accounts.$select(other.id).follow();
});
after(() => server.close());

const call = (method: string, path: string, token: string, body?: string | Record<string, unknown>) =>
  apiCall(server, method, path, token, body);
const texts = (statuses: { content: string }[]) => statuses.map((s) => s.content.replace(/<[^>]+>/g, ''));

describe('lists', () => {
  it('are made, read, changed and deleted through masto, with their accounts', async () => {
    const list = await ana.client.v1.lists.create({ title: 'Friends', exclusive: false });
    assert.equal(list.title, 'Friends');
    assert.equal(list.repliesPolicy, 'list', "Mastodon's default policy");
    assert.equal(list.exclusive, false);
    await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [ben.id, cat.id] });
    const members = await ana.client.v1.lists.$select(list.id).accounts.list();
    assert.deepEqual(members.map((a) => a.username).sort(), ['ben', 'cat']);
    const holding = await ana.client.v1.accounts.$select(ben.id).lists.list();
    assert.deepEqual(
      holding.map((l) => l.id),
      [list.id],
    );
    const renamed = await ana.client.v1.lists.$select(list.id).update({ title: 'Close friends', exclusive: true });
    assert.equal(renamed.title, 'Close friends');
    assert.equal(renamed.exclusive, true);
    await ana.client.v1.lists.$select(list.id).accounts.remove({ accountIds: [cat.id] });
    assert.deepEqual(
      (await ana.client.v1.lists.$select(list.id).accounts.list()).map((a) => a.username),
      ['ben'],
    );
    assert.deepEqual(
      (await ana.client.v1.lists.list()).map((l) => l.title),
      ['Close friends'],
    );
    await ana.client.v1.lists.$select(list.id).remove();
    assert.deepEqual(await ana.client.v1.lists.list(), []);
    await assert.rejects(ana.client.v1.lists.$select(list.id).fetch(), (e: any) => e.statusCode === 404);
  });

  it('take form bodies, id= and account_ids[]= in the query, and trailing slashes, as Mastodon does', async () => {
    const made = await call('POST', '/api/v1/lists/', ana.token, 'title=Form+made&replies_policy=followed&exclusive=0');
    assert.equal(made.status, 200);
    assert.deepEqual({ ...made.body, id: 'x' }, { id: 'x', title: 'Form made', replies_policy: 'followed', exclusive: false });
    const id = made.body.id as string;
    assert.equal(
      (await call('POST', `/api/v1/lists/${id}/accounts`, ana.token, `account_ids[]=${ben.id}&account_ids[]=${dan.id}`)).status,
      200,
    );
    assert.equal((await call('DELETE', `/api/v1/lists/${id}/accounts?account_ids[]=${dan.id}`, ana.token)).status, 200);
    const members = await call('GET', `/api/v1/lists/${id}/accounts?limit=0`, ana.token);
    assert.deepEqual(
      (members.body as { username: string }[]).map((a) => a.username),
      ['ben'],
    );
    const changed = await call('PUT', `/api/v1/lists/${id}`, ana.token, { replies_policy: 'none' });
    assert.equal(changed.body.replies_policy, 'none');
    assert.equal(changed.body.title, 'Form made', 'a title left out stays');
    // An update answers PATCH as well as PUT, as Mastodon's routes do.
    assert.equal((await call('PATCH', `/api/v1/lists/${id}`, ana.token, { title: 'Patched' })).body.title, 'Patched');
    assert.deepEqual((await call('DELETE', `/api/v1/lists/${id}/`, ana.token)).body, {});
  });

  it('refuse what Mastodon refuses, naming the field, and keep each list to its owner', async () => {
    assert.equal((await call('POST', '/api/v1/lists', ana.token, { title: '   ' })).status, 422);
    assert.ok((await call('POST', '/api/v1/lists', ana.token, {})).body.details.title);
    assert.ok((await call('POST', '/api/v1/lists', ana.token, { title: 'x', replies_policy: 'everyone' })).body.details.replies_policy);
    assert.ok((await call('POST', '/api/v1/lists', ana.token, { title: 'x'.repeat(201) })).body.details.title);
    const { body: list } = await call('POST', '/api/v1/lists', ana.token, { title: 'Mine' });
    // An account ana does not follow cannot be added; nothing of the request is added.
    const stranger = await call('POST', `/api/v1/lists/${list.id}/accounts`, ana.token, { account_ids: [ben.id, ana.id] });
    assert.equal(stranger.status, 422);
    assert.ok(stranger.body.details.account_ids);
    assert.deepEqual((await call('GET', `/api/v1/lists/${list.id}/accounts`, ana.token)).body, []);
    assert.equal((await call('POST', `/api/v1/lists/${list.id}/accounts`, ana.token, { account_ids: ['nobody'] })).status, 404);
    assert.equal((await call('POST', `/api/v1/lists/${list.id}/accounts`, ana.token, {})).status, 422);
    // Another member's list does not exist for ben, whatever he tries.
    for (const [method, path] of [
      ['GET', `/api/v1/lists/${list.id}`],
      ['PUT', `/api/v1/lists/${list.id}`],
      ['DELETE', `/api/v1/lists/${list.id}`],
      ['GET', `/api/v1/lists/${list.id}/accounts`],
      ['GET', `/api/v1/timelines/list/${list.id}`],
    ] as const)
      assert.equal(
        (await call(method, path, ben.token, method === 'PUT' ? { title: 'taken' } : undefined)).status,
        404,
        `${method} ${path}`,
      );
    assert.equal((await call('GET', `/api/v1/lists/${list.id}`, ana.token)).body.title, 'Mine');
    // At most 50 lists.
    const existing = (await call('GET', '/api/v1/lists', ana.token)).body.length as number;
    for (let i = existing; i < 50; i++) assert.equal((await call('POST', '/api/v1/lists', ana.token, { title: `l${i}` })).status, 200);
    assert.equal((await call('POST', '/api/v1/lists', ana.token, { title: 'one too many' })).status, 422);
    for (const l of (await call('GET', '/api/v1/lists', ana.token)).body) await call('DELETE', `/api/v1/lists/${l.id}`, ana.token);
  });

  it('show their members’ posts, with replies as the policy says', async () => {
    const list = await ana.client.v1.lists.create({ title: 'Ben and Cat' });
    await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [ben.id, cat.id] });
    const danPost = await dan.client.v1.statuses.create({ status: 'dan speaks' });
    const catPost = await cat.client.v1.statuses.create({ status: 'cat speaks' });
    const anaPost = await ana.client.v1.statuses.create({ status: 'ana speaks' });
    await ben.client.v1.statuses.create({ status: 'ben alone' });
    await ben.client.v1.statuses.create({ status: 'ben answers dan', inReplyToId: danPost.id });
    await ben.client.v1.statuses.create({ status: 'ben answers cat', inReplyToId: catPost.id });
    await ben.client.v1.statuses.create({ status: 'ben answers ana', inReplyToId: anaPost.id });
    await ben.client.v1.statuses.create({ status: 'ben whispers', visibility: 'direct' });
    const expected = {
      list: ['ben answers ana', 'ben answers cat', 'ben alone', 'cat speaks'],
      followed: ['ben answers ana', 'ben answers cat', 'ben answers dan', 'ben alone', 'cat speaks'],
      none: ['ben answers ana', 'ben alone', 'cat speaks'],
    } as const;
    for (const policy of ['list', 'followed', 'none'] as const) {
      await call('PUT', `/api/v1/lists/${list.id}`, ana.token, { replies_policy: policy });
      const timeline = await ana.client.v1.timelines.list.$select(list.id).list();
      assert.deepEqual(texts(timeline), expected[policy], policy);
    }
    // Paged like every timeline.
    const first = await call('GET', `/api/v1/timelines/list/${list.id}?limit=2`, ana.token);
    assert.equal(first.body.length, 2);
    assert.match(first.link ?? '', /max_id=/);
    // Unfollowing takes an account off the owner's lists.
    await ana.client.v1.accounts.$select(cat.id).unfollow();
    assert.deepEqual(
      (await ana.client.v1.lists.$select(list.id).accounts.list()).map((a) => a.username),
      ['ben'],
    );
    assert.ok(!texts(await ana.client.v1.timelines.list.$select(list.id).list()).includes('cat speaks'));
    await ana.client.v1.accounts.$select(cat.id).follow();
    await ana.client.v1.lists.$select(list.id).remove();
  });

  it('keep the members of an exclusive list out of the home timeline, and only those', async () => {
    const post = await dan.client.v1.statuses.create({ status: 'dan on home' });
    const home = async () => texts(await ana.client.v1.timelines.home.list({ limit: 40 }));
    assert.ok((await home()).includes('dan on home'));
    const list = await ana.client.v1.lists.create({ title: 'Dan only', exclusive: true });
    await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [dan.id] });
    const without = await home();
    assert.ok(!without.includes('dan on home'), 'an exclusive member is read in the list');
    assert.ok(without.includes('ben alone'), 'the others stay');
    assert.deepEqual(texts(await ana.client.v1.timelines.list.$select(list.id).list()).slice(0, 1), ['dan on home']);
    await ana.client.v1.lists.$select(list.id).update({ title: 'Dan only', exclusive: false });
    assert.ok((await home()).includes('dan on home'), 'not exclusive any more');
    await ana.client.v1.lists.$select(list.id).remove();
    assert.ok(post.id);
  });
});
