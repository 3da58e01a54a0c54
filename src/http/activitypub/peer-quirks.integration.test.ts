import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { rows } from '../../testing/rows.ts';
import { deliverer } from '../../testing/signed-delivery.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// What peers do that the specifications do not quite say, and Stoa still understands: written by hand
// here as those servers send it, between two Stoa servers on loopback.

let a: TestServer;
let b: TestServer;
let carol: TestAccount; // on B

before(async () => {
  a = await startFederatedServer('127.0.0.2', ['127.0.0.3'], { STOA_LOG_LEVEL: 'error' });
  b = await startFederatedServer('127.0.0.3', ['127.0.0.2'], { STOA_LOG_LEVEL: 'error' });
  const [dora] = (await createTestAccounts(a, ['dora'])) as [TestAccount];
  await dora.client.v1.accounts.updateCredentials({ locked: true });
  [carol] = (await createTestAccounts(b, ['carol'])) as [TestAccount];
});
after(async () => {
  await b?.close();
  await a?.close();
});

describe('peer quirks', () => {
  it('accepts a re-follow whose Accept reuses the id of an earlier one (as Hollo sends it)', async () => {
    const [doraOnB] = (await carol.client.v2.search.list({ q: `@dora@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts;
    const asDora = await deliverer(a, 'dora', b);
    const acceptId = `${asDora.actorUri}#accepts/followers`;
    const pendingUri = async () => {
      const [request] = await rows(b.app.db, 'follow_requests', { account_id: carol.id, target_account_id: doraOnB!.id });
      return request?.uri as string | undefined;
    };
    const following = async () => (await carol.client.v1.accounts.relationships.fetch({ id: [doraOnB!.id] }))[0]?.following === true;
    const accept = async (followUri: string) => {
      const res = await asDora.deliver({
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: acceptId,
        type: 'Accept',
        actor: asDora.actorUri,
        object: { id: followUri, type: 'Follow', actor: `${b.url}/users/carol`, object: asDora.actorUri },
      });
      assert.ok(res.status < 300, `delivered: ${res.status}`);
    };

    await carol.client.v1.accounts.$select(doraOnB!.id).follow();
    await accept(await until('the first request', pendingUri));
    await until('the first follow is accepted', following);
    await carol.client.v1.accounts.$select(doraOnB!.id).unfollow();
    assert.equal(await following(), false);
    await carol.client.v1.accounts.$select(doraOnB!.id).follow();
    const second = await until('the second request', pendingUri);
    await accept(second);
    await until('the re-follow is accepted by an Accept with the same id', following);
  });
});
