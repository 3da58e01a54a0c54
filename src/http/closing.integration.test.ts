import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closingUntil, startClosing, stopClosing } from '../domain/instance/closing.ts';
import { Invalid } from '../domain/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { createTestAccounts, type TestAccount } from '../testing/accounts.ts';
import { TestBrowser } from '../testing/browser.ts';
import { apiProofOfWork } from '../testing/proof-of-work.ts';
import { startTestServer, type TestServer } from '../testing/test-app.ts';

// A server that is shutting down must not lose its community with it: read-only for members, who can
// still sign in, export their data and move their accounts for at least 90 days.

let server: TestServer;
let ann: TestAccount;

before(async () => {
  server = await startTestServer();
  [ann] = (await createTestAccounts(server, ['ann'])) as [TestAccount];
});
after(() => server.close());

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString().slice(0, 10);

const api = (method: string, path: string, body?: unknown, token = ann.token) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('closing mode', () => {
  it('gives members at least 90 days', async () => {
    await assert.rejects(
      startClosing(server.app.db, systemClock, inDays(30)),
      (e: unknown) => e instanceof Invalid && /90 days/.test(e.publicMessage),
    );
    await assert.rejects(startClosing(server.app.db, systemClock, 'soon'), Invalid);
    assert.equal(await closingUntil(server.app.db.read), null);
  });

  it('makes the server read-only, while members sign in, export their data and move', async () => {
    const kept = await ann.client.v1.statuses.create({ status: 'written before the closing' });
    const until = inDays(120);
    await startClosing(server.app.db, systemClock, until);
    await server.app.services.closing.reload();

    // Nothing new: no posts (raw and through a client library), no sign-ups.
    const post = await api('POST', '/api/v1/statuses', { status: 'one more' });
    assert.equal(post.status, 403);
    assert.match(((await post.json()) as { error: string }).error, new RegExp(`closing on ${until}.*export your data`));
    await assert.rejects(ann.client.v1.statuses.create({ status: 'through masto' }), (e: any) => e.statusCode === 403);
    await assert.rejects(ann.client.v1.statuses.$select(kept.id).favourite(), (e: any) => e.statusCode === 403);
    const signUp = await api('POST', '/api/v1/accounts', {
      username: 'late',
      email: 'late@example.org',
      password: 'purple monkey dishwasher',
      agreement: true,
      ...(await apiProofOfWork(server.url)),
    });
    assert.equal(signUp.status, 403);
    // What exists can be read.
    assert.equal((await ann.client.v1.statuses.$select(kept.id).fetch()).content.includes('written before'), true);
    assert.equal((await api('GET', '/api/v1/timelines/home')).status, 200);

    // Members sign in, export and move.
    const browser = new TestBrowser(server.url);
    assert.equal((await browser.signIn('ann', 'ann uses a long password')).status, 303);
    const outbox = await browser.get('/settings/export/outbox.json');
    assert.equal(outbox.status, 200);
    assert.match(await outbox.text(), /written before the closing/);
    const move = await api('POST', '/api/v1/accounts/migration', { acct: 'ann@elsewhere.example', password: 'not her password' });
    assert.notEqual(move.status, 200);
    assert.doesNotMatch(((await move.json()) as { error: string }).error, /closing/, 'a move is not refused for the closing');
    // A web page that writes says so readably.
    const page = await browser.post('/auth/sign_up', {});
    assert.equal(page.status, 403);
    assert.match(await page.text(), /closing on/);

    await stopClosing(server.app.db);
    await server.app.services.closing.reload();
    assert.equal((await api('POST', '/api/v1/statuses', { status: 'open again' })).status, 200);
  });
});
