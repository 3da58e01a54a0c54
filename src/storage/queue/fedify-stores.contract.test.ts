import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Temporal } from '@js-temporal/polyfill';
import { testMessageQueue } from '@fedify/testing';
import { createLogger } from '../../lib/logger.ts';
import { systemClock } from '../../lib/clock.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.ts';
import { DbKvStore } from '../cache/db-kv-store.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DbMessageQueue } from './db-message-queue.ts';

// Fedify's own shared suite for message queues, and the key-value contract Fedify relies on, over the
// engine under test (SQLite, or PostgreSQL with STOA_TEST_DATABASE_URL).

// The shared suite names `Temporal` as a global, as runtimes that ship it do.
(globalThis as { Temporal?: unknown }).Temporal ??= Temporal;

let testDb: TestDatabase;
let db: Db;

before(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.config, createLogger('silent'));
  await migrateToLatest(db);
});

after(async () => {
  await db.close();
  await testDb.drop();
});

describe('DbMessageQueue', () => {
  it("passes Fedify's message queue suite, ordering keys included", { timeout: 120_000 }, async () => {
    const made: Db[] = [];
    await testMessageQueue(
      () => {
        // Two queues over two connections to one database, as two processes would have.
        const own = openDatabase(testDb.config, createLogger('silent'));
        made.push(own);
        return new DbMessageQueue(own, systemClock, { pollMs: 200 });
      },
      async ({ controller }) => {
        controller.abort();
        await Promise.all(made.map((d) => d.close()));
      },
      { testOrderingKey: true },
    );
  });

  it('gives a message whose worker died to another worker once the lease ends', async () => {
    const queue = new DbMessageQueue(db, systemClock, { pollMs: 50, leaseMs: 300 });
    await queue.enqueue({ job: 'once' });
    const first = new AbortController();
    const seen: unknown[] = [];
    // The first worker takes the message and never finishes (a crash, from the queue's point of view).
    const stuck = queue.listen(() => new Promise<void>(() => seen.push('taken')), { signal: first.signal });
    await waitUntil(() => seen.length === 1);
    first.abort();
    const second = new AbortController();
    const done = new DbMessageQueue(db, systemClock, { pollMs: 50 }).listen((message) => void seen.push(message), {
      signal: second.signal,
    });
    await waitUntil(() => seen.length === 2);
    second.abort();
    await done;
    assert.deepEqual(seen, ['taken', { job: 'once' }]);
    assert.deepEqual(await queue.getDepth(), { queued: 0, ready: 0, delayed: 0 });
    void stuck;
  });

  it('counts ready and delayed messages', async () => {
    const queue = new DbMessageQueue(db, systemClock);
    await queue.enqueue('now');
    await queue.enqueue('later', { delay: Temporal.Duration.from({ hours: 1 }) });
    assert.deepEqual(await queue.getDepth(), { queued: 2, ready: 1, delayed: 1 });
    await db.transaction((tx) => tx.deleteFrom('queue_messages').execute());
  });
});

describe('DbKvStore', () => {
  it('gets, sets, overwrites and deletes JSON values under array keys', async () => {
    const kv = new DbKvStore(db, systemClock);
    assert.equal(await kv.get(['a', 'b']), undefined);
    await kv.set(['a', 'b'], { n: 1, list: ['x'] });
    assert.deepEqual(await kv.get(['a', 'b']), { n: 1, list: ['x'] });
    await kv.set(['a', 'b'], 2);
    assert.equal(await kv.get(['a', 'b']), 2);
    await kv.delete(['a', 'b']);
    assert.equal(await kv.get(['a', 'b']), undefined);
  });

  it('lists by prefix without matching keys that merely share the text', async () => {
    const kv = new DbKvStore(db, systemClock);
    await kv.set(['p', 'x'], 1);
    await kv.set(['p', 'x', '1'], 2);
    await kv.set(['p', 'x', '2', 'deep'], 3);
    await kv.set(['p', 'xy'], 4);
    await kv.set(['p', 'x%'], 5);
    await kv.set(['q'], 6);
    const listed: unknown[] = [];
    for await (const entry of kv.list(['p', 'x'])) listed.push([entry.key, entry.value]);
    listed.sort((a, b) => ((a as [unknown, number])[1] < (b as [unknown, number])[1] ? -1 : 1));
    assert.deepEqual(listed, [
      [['p', 'x'], 1],
      [['p', 'x', '1'], 2],
      [['p', 'x', '2', 'deep'], 3],
    ]);
    let all = 0;
    for await (const entry of kv.list()) if (entry) all++;
    assert.equal(all, 6);
  });

  it('forgets entries when their time to live ends, and sweeps them', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const kv = new DbKvStore(db, () => now);
    await kv.set(['ttl'], 'short', { ttl: Temporal.Duration.from({ seconds: 10 }) });
    await kv.set(['ttl', 'long'], 'long', { ttl: Temporal.Duration.from({ hours: 1 }) });
    assert.equal(await kv.get(['ttl']), 'short');
    now += 11_000;
    assert.equal(await kv.get(['ttl']), undefined);
    const listed: unknown[] = [];
    for await (const entry of kv.list(['ttl'])) listed.push(entry.value);
    assert.deepEqual(listed, ['long']);
    assert.ok((await kv.sweep()) >= 1);
    const left = await db.read.selectFrom('kv_entries').select('key').where('key', 'like', '["ttl"%').execute();
    assert.deepEqual(
      left.map((r) => r.key),
      ['["ttl","long"]'],
    );
  });

  it('swaps a value only if it is still the expected one', async () => {
    const kv = new DbKvStore(db, systemClock);
    assert.equal(await kv.cas(['cas'], undefined, 1), true);
    assert.equal(await kv.cas(['cas'], undefined, 2), false);
    assert.equal(await kv.cas(['cas'], 1, 3), true);
    assert.equal(await kv.cas(['cas'], 1, 4), false);
    assert.equal(await kv.get(['cas']), 3);
    // Objects are compared as values: the expected one may list its fields in another order.
    await kv.set(['state'], { state: 'open', failures: ['a'], opened: 'x' });
    assert.equal(await kv.cas(['state'], { opened: 'x', failures: ['a'], state: 'open' }, { state: 'half-open' }), true);
    assert.equal(await kv.cas(['state'], { state: 'open' }, { state: 'closed' }), false);
    assert.deepEqual(await kv.get(['state']), { state: 'half-open' });
    // Swapping in undefined deletes, as Fedify's circuit breaker does once a server answers again.
    assert.equal(await kv.cas(['state'], { state: 'half-open' }, undefined), true);
    assert.equal(await kv.get(['state']), undefined);
    assert.equal(await kv.cas(['state'], undefined, undefined), true);
    // Racing first writers: exactly one wins.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => kv.cas(['race'], undefined, i)));
    assert.equal(results.filter(Boolean).length, 1);
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
