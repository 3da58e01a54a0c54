import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JOBS_CHANNEL } from '../../domain/jobs.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { freePort } from '../../testing/free-port.ts';
import { drained } from '../../testing/queues.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// No request waits on another server: a post mentioning an account this server does not know yet is
// answered at once, and the account is looked up by a worker afterwards. Here the other server accepts
// connections and never answers.

const SILENT_HOST = '127.0.0.16';
let silent: Server;
let silentPort: number;
const connections: Socket[] = [];
let a: TestServer;
let ada: TestAccount;

before(async () => {
  silentPort = await freePort(SILENT_HOST);
  silent = createServer((socket) => connections.push(socket));
  await new Promise<void>((resolve) => silent.listen(silentPort, SILENT_HOST, resolve));
  a = await startFederatedServer('127.0.0.17', [SILENT_HOST]);
  [ada] = (await createTestAccounts(a, ['ada'])) as [TestAccount];
});

after(async () => {
  for (const socket of connections) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await a?.close();
});

describe('a post mentioning an account of a server that does not answer', () => {
  it('is answered at once, and the account is looked up afterwards', async () => {
    const handle = `@someone@${SILENT_HOST}:${silentPort}`;
    const post = await ada.client.v1.statuses.create({ status: `${handle} are you there?` });
    assert.match(post.content, /are you there\?/);
    assert.deepEqual(post.mentions, [], 'an unknown account is not linked yet');
    // The lookup is still waiting on the silent server after the post was answered: the request did not wait for it.
    await until('the lookup to reach the silent server', () => connections.some((socket) => !socket.destroyed));
    // The server goes away: the lookup fails, and the job ends (the post goes to the author's followers anyway).
    for (const socket of connections) socket.destroy();
    await drained(a.app.db, JOBS_CHANNEL, 30_000);
    assert.deepEqual((await ada.client.v1.statuses.$select(post.id).fetch()).mentions, []);
  });
});
