import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { deleteRows, setColumns } from '../../testing/rows.ts';

// A home page an app asks for again is answered from memory before the full stack sees the request. It
// must be the same answer the full stack gives, and every change to the caller's token, account or
// timeline must reach it at once. The page cache is on for both engines here (with PostgreSQL it is off
// unless configured).

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;

before(async () => {
  server = await startTestServer({ STOA_HOME_CACHE_MB: '16', STOA_API_RATE_LIMIT: '200' });
  [ana, ben] = (await createTestAccounts(server, ['ana', 'ben'])) as [TestAccount, TestAccount];
  await ana.client.v1.accounts.$select(ben.id).follow();
  for (let i = 0; i < 3; i++) await ben.client.v1.statuses.create({ status: `ben posts ${i}` });
});
after(() => server.close());

const home = (token: string, query = '?limit=2') =>
  fetch(`${server.url}/api/v1/timelines/home${query}`, { headers: { authorization: `Bearer ${token}` } });
const answered = () => server.app.fastPath!.answered();

/** The answer as the full stack gives it (app.fetch does not pass through the fast path). */
const fullStack = (token: string, query = '?limit=2') =>
  server.app.fetch(new Request(`${server.url}/api/v1/timelines/home${query}`, { headers: { authorization: `Bearer ${token}` } }));

/** Headers that differ between any two answers: the request id, the date, and the count of the rate limit. */
const VARYING = new Set(['x-request-id', 'date', 'x-ratelimit-remaining', 'connection', 'keep-alive']);
const stable = (response: Response) => [...response.headers].filter(([name]) => !VARYING.has(name));

/** Reads a page three times: the first read also marks the token used (a write, which the caches wait out). */
async function readTwice(token: string, query?: string): Promise<{ first: Response; second: Response; fromMemory: boolean }> {
  await (await home(token, query)).arrayBuffer();
  const first = await home(token, query);
  const before = answered();
  const second = await home(token, query);
  return { first, second, fromMemory: answered() === before + 1 };
}

describe('the home timeline fast path', () => {
  it('answers a page read again from memory, with the bytes and headers of the full stack', async () => {
    const { first, second, fromMemory } = await readTwice(ana.token);
    assert.ok(fromMemory);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    const reference = await fullStack(ana.token);
    const body = await second.text();
    assert.equal(body, await first.text());
    assert.equal(body, await reference.text());
    assert.deepEqual(
      (JSON.parse(body) as { content: string }[]).map((s) => s.content),
      ['<p>ben posts 2</p>', '<p>ben posts 1</p>'],
    );
    assert.deepEqual(stable(second), stable(first));
    // The full stack's answer carries the same headers, content length and node's own aside.
    assert.deepEqual(
      stable(second).filter(([name]) => name !== 'content-length'),
      stable(reference).filter(([name]) => name !== 'content-length'),
    );
    assert.match(second.headers.get('link')!, /max_id=.*rel="next".*min_id=.*rel="prev"/);
    assert.equal(Number(second.headers.get('x-ratelimit-remaining')), Number(first.headers.get('x-ratelimit-remaining')) - 1);
    assert.match(second.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.notEqual(second.headers.get('x-request-id'), first.headers.get('x-request-id'));
  });

  it('keeps pages of other query strings apart', async () => {
    const { first, second, fromMemory } = await readTwice(ana.token, '?limit=1');
    assert.ok(fromMemory);
    assert.equal(((await second.json()) as unknown[]).length, 1);
    assert.equal(((await first.json()) as unknown[]).length, 1);
  });

  it('finds a page under the query string as the URL standard writes it, however the client wrote it', async () => {
    // Sent as written (fetch would normalize it first): the route keys the page by `?limit=2&x=%27q%27`.
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(server.url);
        request({ hostname, port, path, headers: { authorization: `Bearer ${ana.token}` } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
          .on('error', reject)
          .end();
      });
    const first = await raw("/api/v1/timelines/home?limit=2&x='q'");
    const before = answered();
    const second = await raw('/api/v1/timelines/home?limit=2&x=%27q%27');
    assert.equal(answered(), before + 1);
    assert.equal(first.status, 200);
    assert.equal(second.body, first.body);
    const third = await raw("/api/v1/timelines/home?limit=2&x='q'");
    assert.equal(answered(), before + 2);
    assert.equal(third.body, first.body);
  });

  it('shows a new post at once', async () => {
    await readTwice(ana.token);
    await ben.client.v1.statuses.create({ status: 'ben posts again' });
    const page = (await (await home(ana.token)).json()) as { content: string }[];
    assert.equal(page[0]!.content, '<p>ben posts again</p>');
  });

  it('refuses a token with the wrong scope, even for a page in memory', async () => {
    await readTwice(ana.token);
    const apps = await fetch(`${server.url}/api/v1/apps`, {
      method: 'POST',
      body: new URLSearchParams({ client_name: 'Narrow', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read:accounts' }),
    });
    const { client_id, client_secret } = (await apps.json()) as { client_id: string; client_secret: string };
    const narrow = await passwordToken(
      server.url,
      { clientId: client_id, clientSecret: client_secret },
      'ana',
      'ana uses a long password',
      'read:accounts',
    );
    assert.equal(
      (await fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${narrow}` } })).status,
      200,
    );
    const refused = await home(narrow);
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { error: 'This action is outside the authorized scopes' });
  });

  it('stops answering a token the moment it is revoked', async () => {
    const [cat] = (await createTestAccounts(server, ['cat'])) as [TestAccount];
    assert.ok((await readTwice(cat.token)).fromMemory);
    const app = await fetch(`${server.url}/api/v1/apps/verify_credentials`, { headers: { authorization: `Bearer ${cat.token}` } });
    assert.equal(app.status, 200);
    // The test accounts' app revokes through the database here: the route needs the client secret.
    await deleteRows(server.app.db, 'oauth_tokens', { account_id: cat.id });
    const refused = await home(cat.token);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), { error: 'The access token is invalid' });
  });

  it('sees a change to the account however it was written (here by SQL of its own, outside the repositories)', async () => {
    const [dot, eve] = (await createTestAccounts(server, ['dot', 'eve'])) as [TestAccount, TestAccount];
    assert.ok((await readTwice(dot.token)).fromMemory);
    await setColumns(server.app.db, 'users', { account_id: dot.id }, { approved_at: null });
    assert.deepEqual(await (await home(dot.token)).json(), { error: 'Your login is currently pending approval' });

    assert.ok((await readTwice(eve.token)).fromMemory);
    await setColumns(server.app.db, 'users', { account_id: eve.id }, { confirmed_at: null });
    const refused = await home(eve.token);
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { error: 'Your login is missing a confirmed e-mail address' });
  });

  it('counts against the rate limit, and leaves the refusal to the full stack', async () => {
    const [fay] = (await createTestAccounts(server, ['fay'])) as [TestAccount];
    let left = Number((await home(fay.token)).headers.get('x-ratelimit-remaining'));
    const before = answered();
    for (; left > 0; left--) assert.equal((await home(fay.token)).status, 200);
    assert.ok(answered() > before);
    const refused = await home(fay.token);
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { error: 'Too many requests' });
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });

  it('leaves everything else to the full stack', async () => {
    const before = answered();
    assert.equal((await home('not-a-token')).status, 401);
    assert.equal((await fetch(`${server.url}/api/v1/timelines/home`)).status, 401);
    // A trailing slash is answered (as Mastodon's routing does), by the full stack.
    assert.equal(
      (await fetch(`${server.url}/api/v1/timelines/home/?limit=2`, { headers: { authorization: `Bearer ${ana.token}` } })).status,
      200,
    );
    assert.equal(
      (await fetch(`${server.url}/api/v1/timelines/home?limit=2`, { method: 'HEAD', headers: { authorization: `Bearer ${ana.token}` } }))
        .status,
      200,
    );
    assert.equal(answered(), before);
  });
});
