import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';
import { rows } from '../../testing/rows.ts';

// A server whose follower's server goes down: posting goes on (deliveries are queued, never made inside
// the request), deliveries to the dead server are held once it keeps failing, and arrive when it returns.
// The latency of posting during the outage is measured by `npm run bench:federation`.

let a: TestServer;
let c: TestServer;
let poster: TestAccount;
let reader: TestAccount;

before(async () => {
  a = await startFederatedServer('127.0.0.5', ['127.0.0.6'], { STOA_DELIVERY_PAUSE_SECONDS: '3' });
  c = await startFederatedServer('127.0.0.6', ['127.0.0.5']);
  [poster] = (await createTestAccounts(a, ['poster'])) as [TestAccount];
  [reader] = (await createTestAccounts(c, ['reader'])) as [TestAccount];
});

after(async () => {
  await c?.close();
  await a?.close();
});

describe("a follower's server goes down", () => {
  it('lets posting go on, holds the deliveries, and delivers them when the server returns', async () => {
    const found = (await reader.client.v2.search.list({ q: `@poster@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts[0]!;
    await reader.client.v1.accounts.$select(found.id).follow();
    await until('the follow', async () => (await reader.client.v1.accounts.relationships.fetch({ id: [found.id] }))[0]?.following);
    const onC = async () => (await rows(c.app.db, 'statuses', { account_id: found.id })).map((s) => s.content);

    await c.goOffline();
    await assert.rejects(fetch(`${c.url}/api/v1/instance`), 'the server is still reachable');
    const texts = Array.from({ length: 30 }, (_, i) => `written during the outage ${i}`);
    for (const status of texts) {
      const posted = await poster.client.v1.statuses.create({ status });
      assert.match(posted.content, /written during the outage/);
    }
    // Five failures in a row open the circuit: the rest wait in A's queue instead of being tried.
    await until(
      'the circuit to open',
      async () => {
        const entries = await rows(a.app.db, 'kv_entries');
        return entries.some((entry) => entry.key.includes('circuit') && entry.value.includes('"open"'));
      },
      60_000,
    );
    const held = (await rows(a.app.db, 'queue_messages')).length;
    assert.ok(held > 0, 'no deliveries are held for the server that is down');
    assert.equal((await onC()).length, 0);

    await c.comeBack();
    const delivered = await until(
      'every post on C',
      async () => {
        const got = await onC();
        // Whole paragraphs: "outage 1" must not be taken for "outage 10".
        return texts.every((t) => got.some((g) => g.includes(`>${t}<`))) ? got : null;
      },
      60_000,
    );
    assert.equal(delivered.length, texts.length);
    const home = (await reader.client.v1.timelines.home.list({ limit: 40 })).map((s) => s.content);
    assert.ok(
      texts.every((t) => home.some((h) => h.includes(`>${t}<`))),
      "the posts are not in the reader's home timeline",
    );
  });
});
