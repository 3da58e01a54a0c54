import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Direct conversations through masto and raw HTTP: who is in them, unread until read, removed until the
// next post, and never visible to anyone outside them.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
let cat: TestAccount;

before(async () => {
  server = await startTestServer();
  [ana, ben, cat] = (await createTestAccounts(server, ['ana', 'ben', 'cat'])) as [TestAccount, TestAccount, TestAccount];
});
after(() => server.close());

const call = async (method: string, path: string, token: string) => {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any, link: res.headers.get('link') };
};

describe('conversations', () => {
  it('gather direct posts by thread, with their people, unread until read', async () => {
    const first = await ana.client.v1.statuses.create({ status: '@ben a secret', visibility: 'direct' });
    await ben.client.v1.statuses.create({ status: '@ana noted', visibility: 'direct', inReplyToId: first.id });
    const other = await cat.client.v1.statuses.create({ status: '@ben another thread', visibility: 'direct' });
    await ana.client.v1.statuses.create({ status: 'a public post is no conversation' });

    const bens = await ben.client.v1.conversations.list();
    assert.deepEqual(
      bens.map((c) => [c.id, c.accounts.map((a) => a.username), c.unread]),
      [
        [other.id, ['cat'], true],
        [first.id, ['ana'], false],
      ],
      'newest first; his own reply left his conversation with ana read',
    );
    assert.equal(bens[1]!.lastStatus?.content.includes('noted'), true);
    const anas = await ana.client.v1.conversations.list();
    assert.deepEqual(
      anas.map((c) => [c.id, c.unread, c.accounts.map((a) => a.username)]),
      [[first.id, true, ['ben']]],
    );
    const read = await ana.client.v1.conversations.$select(first.id).read();
    assert.equal(read.unread, false);
    assert.equal((await ana.client.v1.conversations.list())[0]!.unread, false);
    // Cat is in none of ana's conversations, and cannot touch them.
    assert.deepEqual(
      (await cat.client.v1.conversations.list()).map((c) => c.id),
      [other.id],
    );
    assert.equal((await call('POST', `/api/v1/conversations/${first.id}/read`, cat.token)).status, 404);
    assert.equal((await call('DELETE', `/api/v1/conversations/${first.id}`, cat.token)).status, 404);
    assert.equal((await call('DELETE', '/api/v1/conversations/nothing', ana.token)).status, 404);
  });

  it('stay removed until the next post, which comes unread', async () => {
    const start = await cat.client.v1.statuses.create({ status: '@ana hello', visibility: 'direct' });
    assert.ok((await ana.client.v1.conversations.list()).some((c) => c.id === start.id));
    await ana.client.v1.conversations.$select(start.id).remove();
    assert.ok(!(await ana.client.v1.conversations.list()).some((c) => c.id === start.id));
    assert.ok(
      (await cat.client.v1.conversations.list()).some((c) => c.id === start.id),
      'removed for ana only',
    );
    await cat.client.v1.statuses.create({ status: '@ana still there?', visibility: 'direct', inReplyToId: start.id });
    const back = (await ana.client.v1.conversations.list()).find((c) => c.id === start.id);
    assert.ok(back, 'a new post brings it back');
    assert.equal(back.unread, true);
  });

  it('are paged by their newest post, through a trailing slash too', async () => {
    for (let i = 0; i < 3; i++) await ben.client.v1.statuses.create({ status: `@cat note ${i}`, visibility: 'direct' });
    const page = await call('GET', '/api/v1/conversations/?limit=2', cat.token);
    assert.equal(page.status, 200);
    assert.equal(page.body.length, 2);
    const next = /<([^>]+)>; rel="next"/.exec(page.link ?? '')?.[1];
    assert.ok(next, page.link ?? 'no link');
    const rest = await call('GET', new URL(next).pathname + new URL(next).search, cat.token);
    const [first, later] = [page.body as { id: string }[], rest.body as { id: string }[]];
    assert.ok(later.length >= 1);
    assert.ok(!later.some((c) => first.some((p) => p.id === c.id)), 'no conversation twice');
  });
});
