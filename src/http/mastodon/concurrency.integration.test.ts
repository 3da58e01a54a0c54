import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { passwordToken } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { rows } from '../../testing/rows.ts';

// The same request sent many times at once, as a client retrying on a flaky network or a double tap does:
// every copy gets a success, and exactly one thing is made. On PostgreSQL the copies really run in
// parallel transactions; on SQLite their reads interleave before the writes.

const COPIES = 16;

let server: TestServer;
let author: mastodon.rest.Client;
let reader: mastodon.rest.Client;
let readerToken: string;

async function tokenFor(username: string) {
  const app = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Burst',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow push',
  });
  return passwordToken(server.url, app, username, `${username} password is long`, 'read write follow push');
}

/** Sends COPIES identical requests at once; returns their statuses and bodies. */
async function burst(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: COPIES }, async () => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }),
  );
}

function allSucceeded(results: readonly { status: number; body: unknown }[]) {
  for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
}

before(async () => {
  server = await startTestServer();
  for (const name of ['author', 'reader']) {
    await createLocalAccount(server.app.db, systemClock, server.config, {
      username: name,
      email: `${name}@example.org`,
      password: `${name} password is long`,
      confirmed: true,
    });
  }
  author = createRestAPIClient({ url: server.url, accessToken: await tokenFor('author') });
  readerToken = await tokenFor('reader');
  reader = createRestAPIClient({ url: server.url, accessToken: readerToken });
});
after(() => server.close());

describe('the same request many times at once', () => {
  it('reposts once', async () => {
    const post = await author.v1.statuses.create({ status: 'repost me' });
    const results = await burst(readerToken, 'POST', `/api/v1/statuses/${post.id}/reblog`);
    allSucceeded(results);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1, 'every answer is the one repost');
    const reposts = await rows(server.app.db, 'statuses', { reblog_of_id: post.id });
    assert.equal(reposts.length, 1);
    assert.equal((await author.v1.statuses.$select(post.id).fetch()).reblogsCount, 1);
    const notifications = await author.v1.notifications.list({ types: ['reblog'] });
    assert.equal(notifications.length, 1);
    assert.equal((await reader.v1.accounts.verifyCredentials()).statusesCount, 1);
  });

  it('posts once for one Idempotency-Key', async () => {
    const results = await burst(
      await tokenFor('author'),
      'POST',
      '/api/v1/statuses',
      { status: 'only once, however often it is sent' },
      { 'idempotency-key': 'double-tap' },
    );
    allSucceeded(results);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1, 'every answer is the one post');
    assert.equal((await rows(server.app.db, 'statuses', { text: 'only once, however often it is sent' })).length, 1);
  });

  it('follows a hashtag nobody used before', async () => {
    allSucceeded(await burst(readerToken, 'POST', '/api/v1/tags/BrandNewTopic/follow'));
    const tags = (await rows(server.app.db, 'tags')).filter((t) => t.name.toLowerCase() === 'brandnewtopic');
    assert.equal(tags.length, 1);
    assert.deepEqual(
      (await reader.v1.followedTags.list()).map((t) => t.name),
      ['BrandNewTopic'],
    );
  });

  it('keeps one Web Push subscription per token', async () => {
    const subscription = {
      endpoint: 'https://push.example/device',
      keys: {
        p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
        auth: 'tBHItJI5svbpez7KI4CCXg',
      },
    };
    allSucceeded(await burst(readerToken, 'POST', '/api/v1/push/subscription', { subscription, data: { alerts: { mention: true } } }));
    assert.deepEqual(
      (await rows(server.app.db, 'push_subscriptions')).map((r) => r.endpoint),
      ['https://push.example/device'],
    );
  });

  it('deletes once: one success, the other copies find nothing, the count drops by one', async () => {
    const before = (await author.v1.accounts.verifyCredentials()).statusesCount;
    const post = await author.v1.statuses.create({ status: 'delete me' });
    const results = await burst(await tokenFor('author'), 'DELETE', `/api/v1/statuses/${post.id}`);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array<number>(COPIES - 1).fill(404)]);
    assert.equal((await author.v1.accounts.verifyCredentials()).statusesCount, before);
  });

  it('favourites and follows once, with one notification each', async () => {
    const post = await author.v1.statuses.create({ status: 'like me' });
    allSucceeded(await burst(readerToken, 'POST', `/api/v1/statuses/${post.id}/favourite`));
    const authorId = (await author.v1.accounts.verifyCredentials()).id;
    allSucceeded(await burst(readerToken, 'POST', `/api/v1/accounts/${authorId}/follow`));
    assert.equal((await author.v1.statuses.$select(post.id).fetch()).favouritesCount, 1);
    assert.equal((await author.v1.notifications.list({ types: ['favourite'] })).length, 1);
    assert.equal((await author.v1.notifications.list({ types: ['follow'] })).length, 1);
    assert.equal((await author.v1.accounts.verifyCredentials()).followersCount, 1);
  });
});
