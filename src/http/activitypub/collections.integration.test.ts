import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@fedify/fedify';
import { findAccountByHandle } from '../../domain/accounts/accounts.repo.ts';
import { actorKeyStore } from '../../federation/actor-keys.ts';
import { secretBox } from '../../lib/secret-box.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';

// An account's followers and following over ActivityPub: who they are is not told when the account hides
// its network, and on a server in signed-fetch mode (like Mastodon's secure mode) no collection is served
// to a request that no server signed.

let a: TestServer; // signed-fetch mode
let b: TestServer; // the server whose key signs fetches
let ann: TestAccount; // shows her network
let hal: TestAccount; // hides his

before(async () => {
  a = await startFederatedServer('127.0.0.14', ['127.0.0.15'], { STOA_SIGNED_FETCHES_ONLY: 'true' });
  b = await startFederatedServer('127.0.0.15', ['127.0.0.14']);
  let cid: TestAccount;
  [ann, hal, cid] = (await createTestAccounts(a, ['ann', 'hal', 'cid'])) as [TestAccount, TestAccount, TestAccount];
  await createTestAccounts(b, ['bea']);
  await hal.client.v1.accounts.updateCredentials({ hideCollections: true });
  for (const [follower, followed] of [
    [cid, ann],
    [cid, hal],
    [ann, cid],
    [hal, cid],
  ] as const) {
    await follower.client.v1.accounts.$select(followed.id).follow();
  }
});

after(async () => {
  await b?.close();
  await a?.close();
});

/** Reads an ActivityPub document of A, unsigned or signed by bea of B. */
async function get(url: string, signed: boolean): Promise<{ status: number; body: Record<string, unknown> | null }> {
  let request = new Request(url, { headers: { accept: 'application/activity+json' } });
  if (signed) {
    const bea = (await findAccountByHandle(b.app.db.read, 'bea', null))!;
    const keys = await actorKeyStore(b.app.db, Date.now, secretBox(b.config.secret, 'actor-keys')).get(bea.id);
    request = await signRequest(request, keys.rsa.privateKey, new URL(`${b.url}/users/bea#main-key`), {
      spec: 'draft-cavage-http-signatures-12',
    });
  }
  const res = await fetch(request);
  const text = await res.text();
  return { status: res.status, body: res.ok ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The items of a collection's first page (the collection itself, then its `first`). */
async function items(url: string): Promise<{ total: unknown; items: unknown[] }> {
  const collection = (await get(url, true)).body!;
  const first = collection.first;
  const page = typeof first === 'string' ? (await get(first, true)).body! : (first as Record<string, unknown>);
  return { total: collection.totalItems, items: (page.orderedItems ?? page.items ?? []) as unknown[] };
}

describe('followers and following over ActivityPub', () => {
  it('need a server signature in signed-fetch mode, as the actor, outbox and featured collection do', async () => {
    for (const path of ['', '/followers', '/following', '/outbox', '/featured']) {
      assert.equal((await get(`${a.url}/users/ann${path}`, false)).status, 401, `an unsigned fetch of ann${path}`);
      assert.equal((await get(`${a.url}/users/ann${path}`, true)).status, 200, `a signed fetch of ann${path}`);
    }
  });

  it('list who follows and whom an account follows', async () => {
    assert.deepEqual(await items(`${a.url}/users/ann/followers`), { total: 1, items: [`${a.url}/users/cid`] });
    assert.deepEqual(await items(`${a.url}/users/ann/following`), { total: 1, items: [`${a.url}/users/cid`] });
  });

  it('list nobody for an account that hides its network, as the API does', async () => {
    assert.deepEqual((await items(`${a.url}/users/hal/followers`)).items, []);
    assert.deepEqual((await items(`${a.url}/users/hal/following`)).items, []);
    assert.deepEqual(await ann.client.v1.accounts.$select(hal.id).followers.list(), []);
  });
});
