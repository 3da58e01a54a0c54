import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import { setRole } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Trends, through masto and raw HTTP: hashtags and links shared by several people trend once a moderator
// approves them, posts favourited and reposted by people trend unless rejected, each as the viewer may see
// it; moderators review them through the admin API.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
let cat: TestAccount;
let dan: TestAccount;
let mod: mastodon.rest.Client;
let modToken: string;

before(async () => {
  server = await startTestServer({ STOA_LINK_PREVIEWS: 'false' });
  [ana, ben, cat, dan] = (await createTestAccounts(server, ['ana', 'ben', 'cat', 'dan'])) as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
  const [keeper] = (await createTestAccounts(server, ['keeper'])) as [TestAccount];
  await setRole(server.app.db, systemClock, keeper.id, 'moderator');
  const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Moderation',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write admin:read admin:write',
  });
  modToken = await passwordToken(server.url, app, 'keeper', 'keeper uses a long password', 'read write admin:read admin:write');
  mod = createRestAPIClient({ url: server.url, accessToken: modToken });
});
after(() => server.close());

const call = (method: string, path: string, token: string) => apiCall(server, method, path, token);

describe('trends', () => {
  it('list hashtags used by several people once a moderator approves them, with their history', async () => {
    for (const who of [ana, ben, cat]) await who.client.v1.statuses.create({ status: `spring #Gardening from ${who.username}` });
    await ana.client.v1.statuses.create({ status: 'more #gardening' });
    await dan.client.v1.statuses.create({ status: 'only me #solitary' });
    await dan.client.v1.statuses.create({ status: 'quiet #gardening', visibility: 'unlisted' });

    assert.deepEqual(await ana.client.v1.trends.tags.list(), [], 'nothing trends before review');
    const candidates = await call('GET', '/api/v1/admin/trends/tags', modToken);
    assert.equal(candidates.status, 200);
    const gardening = (candidates.body as { id: string; name: string; requires_review: boolean }[]).find(
      (t) => t.name.toLowerCase() === 'gardening',
    );
    assert.equal(gardening?.requires_review, true);
    assert.ok(!(candidates.body as { name: string }[]).some((t) => t.name === 'solitary'), 'one person is no trend');
    assert.equal((await call('POST', `/api/v1/admin/trends/tags/${gardening.id}/approve`, ana.token)).status, 403, 'members cannot review');

    await mod.v1.admin.trends.tags.$select(gardening.id).approve();
    const [trend] = await ana.client.v1.trends.tags.list();
    assert.equal(trend!.name.toLowerCase(), 'gardening');
    const today = trend!.history![0]!;
    assert.equal(today.uses, '4', 'public posts only');
    assert.equal(today.accounts, '3');
    assert.equal(trend!.history!.length, 7);
    const anonymous = await fetch(`${server.url}/api/v1/trends?limit=5`);
    assert.equal(((await anonymous.json()) as unknown[]).length, 1, 'public, on the old path too');
    assert.equal((await call('GET', '/api/v1/trends/tags?limit=500', ana.token)).status, 422);

    await mod.v1.admin.trends.tags.$select(gardening.id).reject();
    assert.deepEqual(await ana.client.v1.trends.tags.list(), []);
  });

  it('list posts favourited and reposted by people, unless rejected, as each viewer may see them', async () => {
    await ana.client.v1.accounts.updateCredentials({ discoverable: true });
    const post = await ana.client.v1.statuses.create({ status: 'a popular thought' });
    const hidden = await dan.client.v1.statuses.create({ status: 'popular but not discoverable' });
    await ben.client.v1.statuses.$select(post.id).favourite();
    await cat.client.v1.statuses.$select(post.id).reblog();
    await ben.client.v1.statuses.$select(hidden.id).favourite();

    const trending = await ben.client.v1.trends.statuses.list();
    assert.deepEqual(
      trending.map((s) => s.id),
      [post.id],
    );
    assert.equal(trending[0]!.favourited, true, "the viewer's own marks");
    await dan.client.v1.accounts.$select(ana.id).block();
    assert.deepEqual(await dan.client.v1.trends.statuses.list(), [], 'never a blocked author');

    const review = await call('GET', '/api/v1/admin/trends/statuses', modToken);
    assert.equal(review.body[0].id, post.id);
    await mod.v1.admin.trends.statuses.$select(post.id).reject();
    assert.deepEqual(await ben.client.v1.trends.statuses.list(), []);
    await mod.v1.admin.trends.statuses.$select(post.id).approve();
    assert.equal((await ben.client.v1.trends.statuses.list()).length, 1);
  });

  it('list links shared by several people once approved, as preview cards with history', async () => {
    const url = 'https://news.example/story';
    const card = {
      type: 'link' as const,
      title: 'A story',
      description: 'Everyone shares it',
      authorName: '',
      authorUrl: '',
      providerName: 'news.example',
      providerUrl: '',
      language: null,
      publishedAt: null,
      image: null,
    };
    for (const who of [ben, cat]) {
      const post = await who.client.v1.statuses.create({ status: `read ${url}` });
      await server.app.services.commands.cards.attach(post.id, url, card);
    }
    assert.deepEqual(await ana.client.v1.trends.links.list(), []);
    const [candidate] = (await call('GET', '/api/v1/admin/trends/links', modToken)).body as { id: string; url: string }[];
    assert.equal(candidate?.url, url);
    assert.equal((await call('POST', `/api/v1/admin/trends/links/${candidate.id}/approve`, modToken)).status, 200);
    const [link] = await ana.client.v1.trends.links.list();
    assert.equal(link!.title, 'A story');
    assert.equal(link!.history[0]!.accounts, '2');
    assert.equal((await call('POST', '/api/v1/admin/trends/links/nope/approve', modToken)).status, 404);
  });
});
