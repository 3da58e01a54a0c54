import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { webcrypto } from 'node:crypto';
import { exportJwk, generateCryptoKeyPair, verifyRequest } from '@fedify/fedify';
import { CryptographicKey } from '@fedify/vocab';
import { createLogger } from '../lib/logger.ts';
import { DbKvStore } from '../storage/cache/db-kv-store.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';
import { freePort } from '../testing/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { until } from '../testing/until.ts';
import { addressPolicy } from './address-policy.ts';
import { DELIVERY_CHANNEL, deliveryWorker } from './delivery.ts';
import { createSafeFetch } from './safe-fetch.ts';
import { rows } from '../testing/rows.ts';

// Deliveries are Stoa's own requests through the SSRF guard (never the global fetch): signed, posted to
// servers the guard allows, never to an address it refuses, retried when they fail, given up on an inbox
// that is gone.

const PEER = '127.0.0.20'; // a server federation may reach (listed as a private peer)
const CANARY = '127.0.0.21'; // an address it may not: a request here would be a server-side request forgery

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let database: TestDatabase;
let db: Db;
const received: { peer: Received[]; canary: Received[] } = { peer: [], canary: [] };
const servers: Server[] = [];
const ports = { peer: 0, canary: 0 };
let status = 202;
let keys: { keyId: string; privateKey: unknown; publicKey: webcrypto.CryptoKey };

async function listen(host: string, into: Received[]): Promise<number> {
  const port = await freePort(host);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      into.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(into === received.peer ? status : 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  servers.push(server);
  return port;
}

before(async () => {
  database = await createTestDatabase();
  db = openDatabase(database.config, createLogger('silent'));
  await migrateToLatest(db);
  ports.peer = await listen(PEER, received.peer);
  ports.canary = await listen(CANARY, received.canary);
  const pair = (await generateCryptoKeyPair('RSASSA-PKCS1-v1_5')) as unknown as {
    privateKey: webcrypto.CryptoKey;
    publicKey: webcrypto.CryptoKey;
  };
  keys = {
    keyId: `http://${PEER}:${ports.peer}/users/sender#main-key`,
    privateKey: await exportJwk(pair.privateKey),
    publicKey: pair.publicKey,
  };
});

after(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await db.close();
  await database.drop();
});

/** A delivery as Fedify fans one out: one activity for one inbox, with the key to sign it. */
function delivery(inbox: string, id: string) {
  return {
    type: 'outbox' as const,
    id: crypto.randomUUID(),
    baseUrl: 'http://stoa.test',
    keys: [{ keyId: keys.keyId, privateKey: keys.privateKey }],
    activity: { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Create', actor: 'http://stoa.test/users/sender' },
    activityId: id,
    activityType: 'Create',
    inbox,
    sharedInbox: false,
    started: new Date().toISOString(),
    attempt: 0,
    headers: {},
    traceContext: {},
  };
}

/** The deliveries still queued for later, with how many attempts they had. */
async function queued(): Promise<{ inbox: string; attempt: number }[]> {
  return (await rows(db, 'queue_messages', { channel: DELIVERY_CHANNEL })).map(
    (r) => JSON.parse(r.payload) as { inbox: string; attempt: number },
  );
}

describe('deliveries', () => {
  it('are signed and posted to a server the guard allows, and never to an address it refuses', async () => {
    const worker = deliveryWorker({
      db,
      clock: Date.now,
      kv: new DbKvStore(db, Date.now),
      fetch: createSafeFetch({ policy: addressPolicy([PEER]), allowHttp: true, userAgent: 'Stoa test' }),
      logger: createLogger('silent'),
      policy: { failureThreshold: 5, failureWindowMs: 600_000, recoveryDelayMs: 60_000, heldTtlMs: 3600_000 },
    });
    const stop = new AbortController();
    const listening = worker.listen(stop.signal);
    try {
      await worker.queue.enqueue(delivery(`http://${CANARY}:${ports.canary}/inbox`, 'http://stoa.test/activities/forged'));
      await worker.queue.enqueue(delivery(`http://${PEER}:${ports.peer}/users/someone/inbox`, 'http://stoa.test/activities/1'));
      const [arrived] = await until('the delivery to the peer', () => received.peer.length > 0 && received.peer);
      assert.equal(arrived!.path, '/users/someone/inbox');
      assert.equal(JSON.parse(arrived!.body).id, 'http://stoa.test/activities/1');
      const request = new Request(`http://${PEER}:${ports.peer}${arrived!.path}`, {
        method: 'POST',
        headers: Object.entries(arrived!.headers).map(([k, v]) => [k, String(v)] as [string, string]),
        body: arrived!.body,
      });
      const key = new CryptographicKey({
        id: new URL(keys.keyId),
        owner: new URL('http://stoa.test/users/sender'),
        publicKey: keys.publicKey,
      });
      const verified = await verifyRequest(request, {
        keyCache: { get: () => Promise.resolve(key), set: () => Promise.resolve() },
        documentLoader: () => Promise.reject(new Error('no fetch')),
        contextLoader: () => Promise.reject(new Error('no fetch')),
      });
      assert.equal(verified?.id?.href, keys.keyId, 'the delivery carries a valid signature by its actor');
      // The forbidden inbox was tried (its delivery is queued again for later) and never reached.
      await until('the refused delivery queued again', async () =>
        (await queued()).some((d) => d.inbox.includes(CANARY) && d.attempt === 1),
      );
      assert.deepEqual(received.canary, []);

      // An inbox that is gone is not tried again.
      status = 410;
      const before = received.peer.length;
      await worker.queue.enqueue(delivery(`http://${PEER}:${ports.peer}/users/gone/inbox`, 'http://stoa.test/activities/2'));
      await until('the delivery to the gone inbox', () => received.peer.length > before);
      await until('it handled', async () => !(await queued()).some((d) => d.inbox.includes('/users/gone/')));
    } finally {
      stop.abort();
      await listening;
    }
  });
});
