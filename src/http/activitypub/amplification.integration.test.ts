import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts } from '../../testing/accounts.ts';
import { drained } from '../../testing/queues.ts';
import { row } from '../../testing/rows.ts';
import { deliverer } from '../../testing/signed-delivery.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// A server must not be turned against others: one activity listing thousands of URLs on a third party's
// server must not make it fetch them. The third party here is a server on loopback that counts requests.

const THIRD = '127.0.0.44';
let a: TestServer;
let b: TestServer;
let third: Server;
let thirdUrl: string;
let hits = 0;

before(async () => {
  third = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/activity+json' });
    res.end(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', type: 'Hashtag', name: '#x' }));
  });
  await new Promise<void>((resolve) => third.listen(0, THIRD, resolve));
  thirdUrl = `http://${THIRD}:${(third.address() as AddressInfo).port}`;
  a = await startFederatedServer('127.0.0.42', ['127.0.0.43', THIRD]);
  b = await startFederatedServer('127.0.0.43', ['127.0.0.42']);
  await createTestAccounts(a, ['amy']);
  await createTestAccounts(b, ['bo']);
});
after(async () => {
  await b?.close();
  await a?.close();
  third.close();
});

describe('amplification', () => {
  it('fetches nothing that a post only lists by URL in its tags and attachments', async () => {
    const bo = await deliverer(b, 'bo', a);
    const id = `${bo.actorUri}/statuses/amplifier`;
    const urls = (kind: string) => Array.from({ length: 2500 }, (_, i) => `${thirdUrl}/${kind}/${i}`);
    const answer = await bo.deliver({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${id}/activity`,
      type: 'Create',
      actor: bo.actorUri,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${a.url}/users/amy`],
      object: {
        id,
        type: 'Note',
        attributedTo: bo.actorUri,
        content: 'many references',
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        cc: [`${a.url}/users/amy`],
        tag: [{ type: 'Hashtag', name: '#kept', href: `${a.url}/tags/kept` }, ...urls('tag')],
        attachment: urls('attachment'),
      },
    });
    assert.equal(answer.status, 202);
    // The post is kept (it mentions amy), with the embedded tag; the listed URLs were never fetched.
    const stored = await until('the post on A', () => row(a.app.db, 'statuses', { uri: id }));
    await drained(a.app.db, 'fedify');
    assert.equal(stored.content.includes('many references'), true);
    assert.equal(hits, 0, `the third party was asked ${hits} times`);
  });
});
