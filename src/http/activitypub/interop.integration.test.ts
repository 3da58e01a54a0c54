import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readActivityStreams } from '../../testing/activitystreams-reader.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';

// Stoa's actors, outboxes and posts as another ActivityPub implementation reads them: `activitystrea.ms`
// (JSON-LD by jsonld.js), which shares no code with Fedify. `npm run ap:lookup -- <url>` does the same by hand.

let server: TestServer;
let alice: TestAccount;
const AP = { accept: 'application/activity+json' };

before(async () => {
  // Its domain is its loopback address and port, so that the ids it serves can be fetched.
  server = await startFederatedServer('127.0.0.7', []);
  [alice] = (await createTestAccounts(server, ['alice'])) as [TestAccount];
  await alice.client.v1.accounts.updateCredentials({
    displayName: 'Alice Interop',
    note: 'bio words',
    fieldsAttributes: [{ name: 'site', value: 'https://example.org' }],
  });
});

after(() => server.close());

describe('another ActivityPub implementation', () => {
  it('reads the actor, with its inbox, collections and key', async () => {
    const actor = await readActivityStreams(await (await fetch(`${server.url}/users/alice`, { headers: AP })).json());
    assert.equal(actor.type, 'Person');
    assert.equal(actor.id, `${server.url}/users/alice`);
    assert.equal(actor.value('preferredUsername'), 'alice');
    assert.equal(actor.value('name'), 'Alice Interop');
    assert.equal(actor.value('http://www.w3.org/ns/ldp#inbox'), `${server.url}/users/alice/inbox`);
    assert.equal(actor.value('outbox'), `${server.url}/users/alice/outbox`);
    assert.equal(actor.value('followers'), `${server.url}/users/alice/followers`);
    assert.equal(actor.value('https://w3id.org/security#publicKey'), `${server.url}/users/alice#main-key`);
  });

  it('reads the outbox and a post', async () => {
    const posted = await alice.client.v1.statuses.create({ status: 'read me elsewhere #interop' });
    const outbox = await readActivityStreams(await (await fetch(`${server.url}/users/alice/outbox`, { headers: AP })).json());
    assert.equal(outbox.type, 'OrderedCollection');
    assert.equal(outbox.value('totalItems'), '1');
    const firstUrl = outbox.value('first')!;
    const page = await readActivityStreams(await (await fetch(firstUrl, { headers: AP })).json());
    assert.equal(page.type, 'OrderedCollectionPage');
    assert.deepEqual(page.values('items'), [`${posted.uri}/activity`]);
    const note = await readActivityStreams(await (await fetch(posted.uri, { headers: AP })).json());
    assert.equal(note.type, 'Note');
    assert.equal(note.id, posted.uri);
    assert.match(note.value('content')!, /read me elsewhere/);
    assert.equal(note.value('attributedTo'), `${server.url}/users/alice`);
    assert.ok(note.values('to').includes('https://www.w3.org/ns/activitystreams#Public'));
  });
});
