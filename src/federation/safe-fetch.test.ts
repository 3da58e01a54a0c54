import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { addressPolicy } from './address-policy.ts';
import { createSafeFetch, RefusedFetchError } from './safe-fetch.ts';

// The SSRF guard every outgoing request goes through: special-purpose addresses, names that resolve to
// them, and redirects towards them are refused before a connection is made.

const SPECIAL_PURPOSE = [
  '0.0.0.0',
  '0.1.2.3',
  '10.0.0.1',
  '10.255.255.255',
  '100.64.0.1',
  '100.127.255.254',
  '127.0.0.1',
  '127.53.0.1',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.0.0.8',
  '192.0.2.10',
  '192.88.99.1',
  '192.168.1.1',
  '198.18.0.1',
  '198.51.100.7',
  '203.0.113.9',
  '224.0.0.251',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  '::127.0.0.1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:169.254.169.254',
  '::ffff:a00:1',
  '0:0:0:0:0:ffff:10.0.0.1',
  '64:ff9b::7f00:1',
  '64:ff9b:1::1',
  '100::1',
  '2001::1',
  '2001:db8::1',
  '2002:7f00:1::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'fe80::1%25eth0',
  'fec0::1',
  'ff02::1',
];

const PUBLIC = ['1.1.1.1', '8.8.8.8', '93.184.215.14', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1'];

describe('address policy', () => {
  const policy = addressPolicy();
  for (const address of SPECIAL_PURPOSE) {
    it(`refuses ${address}`, () => assert.equal(policy.allows(decodeURIComponent(address)), false));
  }
  it('allows public addresses', () => {
    for (const address of PUBLIC) assert.equal(policy.allows(address), true, address);
  });
  it('allows exactly the listed private peers, in every spelling of them', () => {
    const test = addressPolicy(['127.0.0.2', '127.0.1.0/24', 'fd00::/8']);
    assert.equal(test.allows('127.0.0.2'), true);
    assert.equal(test.allows('::ffff:127.0.0.2'), true);
    assert.equal(test.allows('127.0.1.77'), true);
    assert.equal(test.allows('fd00::5'), true);
    assert.equal(test.allows('127.0.0.1'), false);
    assert.equal(test.allows('127.0.0.3'), false);
    assert.equal(test.allows('::1'), false);
    assert.equal(test.allows('not-an-address'), false);
  });
  it('honours STOA_ALLOWED_PRIVATE_PEERS only on a plain-HTTP test network', () => {
    const base = { STOA_DATA_DIR: '/tmp/stoa-unused', STOA_SECRET: 'x'.repeat(32), STOA_ALLOWED_PRIVATE_PEERS: '127.0.0.2,127.0.0.3' };
    assert.deepEqual(
      loadConfig({ ...base, STOA_DOMAIN: 'social.example', STOA_INSECURE_HTTP: 'false' }).federation.allowedPrivatePeers,
      [],
    );
    assert.deepEqual(loadConfig({ ...base, STOA_DOMAIN: '127.0.0.2:3000', STOA_INSECURE_HTTP: 'true' }).federation.allowedPrivatePeers, [
      '127.0.0.2',
      '127.0.0.3',
    ]);
  });
});

describe('safe fetch', () => {
  // Two real servers on loopback: one the test network allows (127.0.0.2), one it does not (127.0.0.1).
  let allowed: Server;
  let forbiddenServer: Server;
  let allowedPort = 0;
  let forbiddenPort = 0;
  let forbiddenHits = 0;

  before(async () => {
    forbiddenServer = createServer((_req, res) => {
      forbiddenHits++;
      res.end('secret');
    });
    allowed = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
      if (req.url?.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        res.end('x'.repeat(10_000));
        return;
      }
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2_000);
      if (target) {
        res.writeHead(302, { location: target });
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      res.end(JSON.stringify({ method: req.method, agent: req.headers['user-agent'] }));
    });
    await new Promise<void>((r) => allowed.listen(0, '127.0.0.2', r));
    await new Promise<void>((r) => forbiddenServer.listen(0, '127.0.0.1', r));
    allowedPort = (allowed.address() as AddressInfo).port;
    forbiddenPort = (forbiddenServer.address() as AddressInfo).port;
  });

  after(() => {
    allowed.close();
    forbiddenServer.close();
  });

  // Names resolve as an attacker would arrange: to a private address, to a mix, or to the allowed peer.
  const names: Record<string, string[]> = {
    'peer.test': ['127.0.0.2'],
    'internal.test': ['10.0.0.7'],
    'metadata.test': ['169.254.169.254'],
    'mixed.test': ['127.0.0.2', '127.0.0.1'],
    'v6loop.test': ['::1'],
    localhost: ['127.0.0.1', '::1'],
  };
  const lookup = ((hostname: string, _options: unknown, callback: (e: Error | null, a: { address: string; family: number }[]) => void) => {
    const list = names[hostname];
    if (!list) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as never;
  const safeFetch = createSafeFetch({
    policy: addressPolicy(['127.0.0.2']),
    allowHttp: true,
    userAgent: 'Stoa-test',
    maxBytes: 4096,
    timeoutMs: 1_000,
    lookup,
  });

  const refused = async (url: string) => {
    const before = forbiddenHits;
    await assert.rejects(safeFetch(url), (error: unknown) => error instanceof RefusedFetchError, url);
    assert.equal(forbiddenHits, before, `${url} reached the forbidden server`);
  };

  it('fetches from an allowed peer, by address and by name, with its user agent', async () => {
    const byAddress = await safeFetch(`http://127.0.0.2:${allowedPort}/`);
    assert.deepEqual(await byAddress.json(), { method: 'GET', agent: 'Stoa-test' });
    const byName = await safeFetch(`http://peer.test:${allowedPort}/`, { method: 'POST', body: '{}' });
    assert.deepEqual(await byName.json(), { method: 'POST', agent: 'Stoa-test' });
    assert.equal(byName.url, `http://peer.test:${allowedPort}/`);
  });

  it('refuses forbidden addresses in every spelling before connecting', async () => {
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f000001',
      '0177.0.0.1',
      '127.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      'localhost',
    ]) {
      await refused(`http://${host}:${forbiddenPort}/`);
    }
  });

  it('refuses names that resolve to a forbidden address, even among allowed ones', async () => {
    for (const host of ['internal.test', 'metadata.test', 'mixed.test', 'v6loop.test']) await refused(`http://${host}:${forbiddenPort}/`);
  });

  it('checks every redirect again', async () => {
    for (const target of [
      `http://127.0.0.1:${forbiddenPort}/`,
      `http://[::1]:${forbiddenPort}/`,
      `http://internal.test:${forbiddenPort}/`,
      `http://2130706433:${forbiddenPort}/`,
      'file:///etc/passwd',
      'gopher://127.0.0.2/',
    ]) {
      await refused(`http://127.0.0.2:${allowedPort}/?to=${encodeURIComponent(target)}`);
    }
    // A chain of redirects that ends at a forbidden address.
    const inner = `http://127.0.0.2:${allowedPort}/?to=${encodeURIComponent(`http://127.0.0.1:${forbiddenPort}/`)}`;
    await refused(`http://peer.test:${allowedPort}/?to=${encodeURIComponent(inner)}`);
    // An allowed redirect is followed.
    const ok = await safeFetch(`http://127.0.0.2:${allowedPort}/?to=${encodeURIComponent(`http://peer.test:${allowedPort}/`)}`);
    assert.equal(ok.url, `http://peer.test:${allowedPort}/`);
  });

  it('stops after five redirects', async () => {
    let url = `http://127.0.0.2:${allowedPort}/`;
    for (let i = 0; i < 7; i++) url = `http://127.0.0.2:${allowedPort}/?to=${encodeURIComponent(url)}`;
    await assert.rejects(safeFetch(url), /redirects/);
  });

  it('refuses plain HTTP unless allowed, URLs with credentials, and other schemes', async () => {
    const strict = createSafeFetch({ policy: addressPolicy(['127.0.0.2']), allowHttp: false, userAgent: 'x', lookup });
    await assert.rejects(strict(`http://127.0.0.2:${allowedPort}/`), RefusedFetchError);
    await assert.rejects(safeFetch(`http://user:pw@127.0.0.2:${allowedPort}/`), RefusedFetchError);
    await assert.rejects(safeFetch('ftp://127.0.0.2/'), RefusedFetchError);
  });

  it('caps the body and the time', async () => {
    await assert.rejects(safeFetch(`http://127.0.0.2:${allowedPort}/big`), /larger than 4096 bytes/);
    await assert.rejects(safeFetch(`http://127.0.0.2:${allowedPort}/slow`), /in time|abort/i);
  });
});
