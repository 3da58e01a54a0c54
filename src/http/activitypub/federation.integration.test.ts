import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import sharp from 'sharp';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { setRole } from '../../domain/accounts/accounts.service.ts';
import { findAccountById } from '../../domain/accounts/accounts.repo.ts';
import { cliCommands } from '../../cli/with-database.ts';
import { cliActor } from '../../domain/actor.ts';
import { systemClock } from '../../lib/clock.ts';
import { startFederatedServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';
import { deliverer, type DeliveryOptions } from '../../testing/signed-delivery.ts';
import { drained } from '../../testing/queues.ts';
import { row, rows } from '../../testing/rows.ts';

// Two Stoa servers on two loopback addresses, each with its own database, federating over plain HTTP
// (allowed only because each lists the other in STOA_ALLOWED_PRIVATE_PEERS).

/** The process's fetch before any server started: federation passes its guarded fetch, it replaces nothing. */
const nativeFetch = globalThis.fetch;

let a: TestServer;
let b: TestServer;
let alice: TestAccount; // on A, locked
let bob: TestAccount; // on B, follows alice
let carol: TestAccount; // on B, does not follow alice

/** Posts an activity to A's shared inbox as bob of B, signed with his key unless told otherwise. */
const postAsBob = async (body: unknown, options: DeliveryOptions = {}) => (await deliverer(b, 'bob', a)).deliver(body, options);

const homeTexts = async (account: TestAccount) =>
  (await account.client.v1.timelines.home.list({ limit: 40 })).map((s) => s.reblog?.content ?? s.content);

before(async () => {
  a = await startFederatedServer('127.0.0.2', ['127.0.0.3'], { STOA_LOG_LEVEL: 'warn' });
  b = await startFederatedServer('127.0.0.3', ['127.0.0.2'], { STOA_LOG_LEVEL: 'warn' });
  [alice] = (await createTestAccounts(a, ['alice'])) as [TestAccount];
  [bob, carol] = (await createTestAccounts(b, ['bob', 'carol'])) as [TestAccount, TestAccount];
  await alice.client.v1.accounts.updateCredentials({ locked: true, displayName: 'Alice A.' });
});

after(async () => {
  await b?.close();
  await a?.close();
});

describe('federation between two servers', () => {
  let aliceOnB: string;

  it('serves WebFinger, NodeInfo and the actor with its keys', async () => {
    const finger = await fetch(`${a.url}/.well-known/webfinger?resource=acct:alice@${a.config.domain}`);
    assert.equal(finger.status, 200);
    const jrd = (await finger.json()) as { links: { rel: string; href: string }[] };
    const self = jrd.links.find((l) => l.rel === 'self')!.href;
    assert.equal(self, `${a.url}/users/alice`);
    const actor = (await (await fetch(self, { headers: { accept: 'application/activity+json' } })).json()) as Record<string, unknown>;
    assert.equal(actor.type, 'Person');
    assert.equal(actor.preferredUsername, 'alice');
    assert.equal(actor.manuallyApprovesFollowers, true);
    assert.match(String((actor.publicKey as { publicKeyPem: string }).publicKeyPem), /BEGIN PUBLIC KEY/);
    assert.match(JSON.stringify(actor.assertionMethod), /Multikey/);
    const nodeinfo = (await (await fetch(`${a.url}/.well-known/nodeinfo`)).json()) as { links: { href: string }[] };
    const info = (await (await fetch(nodeinfo.links[0]!.href)).json()) as { software: { name: string }; protocols: string[] };
    assert.equal(info.software.name, 'stoa');
    assert.deepEqual(info.protocols, ['activitypub']);
    const hostMeta = await fetch(`${a.url}/.well-known/host-meta`);
    assert.match(await hostMeta.text(), /webfinger\?resource=\{uri\}/);
  });

  it('follows a locked account across servers once it accepts', async () => {
    const found = await bob.client.v2.search.list({ q: `@alice@${a.config.domain}`, resolve: true, type: 'accounts' });
    assert.equal(found.accounts.length, 1);
    assert.equal(found.accounts[0]!.acct, `alice@${a.config.domain}`);
    assert.equal(found.accounts[0]!.displayName, 'Alice A.');
    aliceOnB = found.accounts[0]!.id;
    // A pasted profile link works too: the page sends ActivityPub clients to the actor.
    const byLink = await bob.client.v2.search.list({ q: `${a.url}/@alice`, resolve: true, type: 'accounts' });
    assert.equal(byLink.accounts[0]?.id, aliceOnB);
    const pending = await bob.client.v1.accounts.$select(aliceOnB).follow();
    assert.equal(pending.following, false);
    assert.equal(pending.requested, true);
    const request = await until('the follow request on A', async () =>
      (await alice.client.v1.followRequests.list()).find((r) => r.acct === `bob@${b.config.domain}`),
    );
    await alice.client.v1.followRequests.$select(request.id).authorize();
    await until(
      'the accepted follow on B',
      async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]?.following,
    );
  });

  it('delivers public, followers-only and direct posts to exactly the right people', async () => {
    // carol is not known on A yet: mentioning her looks her up on her server as the post is made.
    assert.equal(await row(a.app.db, 'accounts', { username: 'carol' }), undefined);
    await alice.client.v1.statuses.create({ status: 'hello fediverse, public words', visibility: 'public' });
    await alice.client.v1.statuses.create({ status: 'only for my followers', visibility: 'private' });
    await alice.client.v1.statuses.create({ status: `@carol@${b.config.domain} a direct note`, visibility: 'direct' });
    await until('all three on B', async () => (await rows(b.app.db, 'statuses', { domain: a.config.domain })).length === 3);
    const bobHome = await until("the posts in bob's home", async () => {
      const texts = await homeTexts(bob);
      return texts.some((t) => t.includes('public words')) && texts.some((t) => t.includes('only for my followers')) ? texts : null;
    });
    assert.ok(!bobHome.some((t) => t.includes('a direct note')), 'bob sees a direct post meant for carol');
    const carolHome = await homeTexts(carol);
    assert.ok(!carolHome.some((t) => t.includes('only for my followers')), 'carol sees a followers-only post');
    // carol does not follow alice: a private mention from her waits in a request (the default policy).
    assert.deepEqual(await carol.client.v1.notifications.list({ types: ['mention'] }), []);
    const [request] = await carol.client.v1.notifications.requests.list();
    assert.equal(request?.lastStatus?.content.includes('a direct note'), true);
    await carol.client.v1.notifications.requests.$select(request.id).accept();
    const mentions = await carol.client.v1.notifications.list({ types: ['mention'] });
    assert.ok(mentions.some((n) => n.status?.content.includes('a direct note')));
    assert.equal(mentions[0]!.status!.visibility, 'direct');
  });

  it('fetches remote media and serves it re-encoded from the receiving server', async () => {
    const jpeg = (width: number, height: number, rgb: [number, number, number]) =>
      sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .jpeg()
        .withMetadata({ exif: { IFD0: { Artist: 'Leaky Camera Owner' } } })
        .toBuffer();
    const photo = await alice.client.v2.media.create({
      file: new Blob([new Uint8Array(await jpeg(320, 200, [200, 40, 40]))], { type: 'image/jpeg' }),
      description: 'a red square',
    });
    await until('the photo processed', async () => (await alice.client.v1.media.$select(photo.id).fetch()).url);
    const form = new FormData();
    form.set('avatar', new Blob([new Uint8Array(await jpeg(120, 120, [20, 200, 20]))], { type: 'image/jpeg' }), 'me.jpg');
    assert.equal(
      (
        await fetch(`${a.url}/api/v1/accounts/update_credentials`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${alice.token}` },
          body: form,
        })
      ).status,
      200,
    );
    await alice.client.v1.statuses.create({ status: 'a photo for my followers', mediaIds: [photo.id] });

    const seen = await until('the photo on B', async () => {
      const post = (await bob.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('a photo for my followers'));
      return post?.mediaAttachments[0]?.url ? post : null;
    });
    const attachment = seen.mediaAttachments[0]!;
    assert.equal(attachment.type, 'image');
    assert.equal(attachment.description, 'a red square');
    assert.ok(attachment.url!.startsWith(b.config.media.baseUrl), `served from ${attachment.url}, not from B`);
    const served = new Uint8Array(await (await fetch(attachment.url!)).arrayBuffer());
    assert.equal((await sharp(served).metadata()).width, 320);
    assert.ok(!Buffer.from(served).includes('Leaky Camera Owner'), 'the metadata of the original survived');
    const avatar = await until('the avatar on B', async () => {
      const account = await bob.client.v1.accounts.$select(seen.account.id).fetch();
      return account.avatar.startsWith(b.config.media.baseUrl) ? account.avatar : null;
    });
    assert.equal((await sharp(new Uint8Array(await (await fetch(avatar)).arrayBuffer())).metadata()).width > 0, true);

    // Deleted at its origin, the post takes B's copy of its photo with it.
    const own = (await alice.client.v1.accounts.$select(alice.id).statuses.list()).find((s) =>
      s.content.includes('a photo for my followers'),
    )!;
    await alice.client.v1.statuses.$select(own.id).remove();
    await until('the photo gone from B', async () => (await fetch(attachment.url!)).status === 404);
    assert.equal(await row(b.app.db, 'media_attachments', { id: attachment.id }), undefined);
  });

  it('brings replies and likes back to the origin', async () => {
    const post = (await bob.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('public words'))!;
    assert.equal(post.account.acct, `alice@${a.config.domain}`);
    await bob.client.v1.statuses.create({ status: `@alice@${a.config.domain} a reply from B`, inReplyToId: post.id });
    await bob.client.v1.statuses.$select(post.id).favourite();
    const onA = (await alice.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('public words'))!;
    await until('the reply in the thread on A', async () =>
      (await alice.client.v1.statuses.$select(onA.id).context.fetch()).descendants.some((d) => d.content.includes('a reply from B')),
    );
    await until('the like on A', async () =>
      (await alice.client.v1.notifications.list({ types: ['favourite'] })).some((n) => n.account.acct === `bob@${b.config.domain}`),
    );
    assert.equal((await alice.client.v1.statuses.$select(onA.id).fetch()).favouritesCount, 1);
  });

  it("brings reposts and quotes back to the origin, with the quoted author's stamp", async () => {
    const post = (await bob.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('public words'))!;
    await bob.client.v1.statuses.$select(post.id).reblog();
    const quote = await bob.client.v1.statuses.create({ status: 'quoting alice across servers', quotedStatusId: post.id });
    const onA = (await alice.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('public words'))!;
    await until('the repost on A', async () =>
      (await alice.client.v1.notifications.list({ types: ['reblog'] })).some(
        (n) => n.account.acct === `bob@${b.config.domain}` && n.status?.id === onA.id,
      ),
    );
    const quoted = await until('the quote on A', async () =>
      (await alice.client.v1.notifications.list({ types: ['quote'] })).find((n) => n.account.acct === `bob@${b.config.domain}`),
    );
    const shown = quoted.status as unknown as { content: string; quote: { state: string; quotedStatus: { id: string } | null } | null };
    assert.match(shown.content, /quoting alice across servers/);
    assert.equal(shown.quote?.state, 'accepted');
    assert.equal(shown.quote?.quotedStatus?.id, onA.id);
    const counted = await alice.client.v1.statuses.$select(onA.id).fetch();
    assert.equal(counted.reblogsCount, 1);
    // A asked and gave its stamp (FEP-044f); B keeps it on the quote and serves it with the note.
    const stampUri = await until(
      'the stamp on B',
      async () => (await row(b.app.db, 'statuses', { id: quote.id }))?.quote_authorization_uri,
    );
    assert.ok(stampUri.startsWith(`${a.url}/users/alice/quote_authorizations/`));
    const stamp = (await (await fetch(stampUri, { headers: { accept: 'application/activity+json' } })).json()) as Record<string, string>;
    assert.equal(stamp.type, 'QuoteAuthorization');
    assert.equal(stamp.interactingObject, quote.uri);
    assert.equal(stamp.interactionTarget, onA.uri);
    const note = (await (await fetch(quote.uri, { headers: { accept: 'application/activity+json' } })).json()) as Record<string, unknown>;
    assert.equal(note.quote, onA.uri);
    assert.equal(note._misskey_quote, onA.uri);
    assert.equal(note.quoteUrl, onA.uri);
    assert.equal(note.quoteAuthorization, stampUri);
  });

  it('reads a quoted post it did not know from its own server, so the quote shows it', async () => {
    const original = await carol.client.v1.statuses.create({ status: 'carol says something quotable', visibility: 'public' });
    assert.equal(await row(a.app.db, 'statuses', { uri: original.uri }), undefined);
    await bob.client.v1.statuses.create({ status: `@alice@${a.config.domain} look what carol said`, quotedStatusId: original.id });
    const mention = await until('the quote on A', async () =>
      (await alice.client.v1.notifications.list({ types: ['mention'] })).find((n) => n.status?.content.includes('look what carol said')),
    );
    const quote = (
      mention.status as unknown as { quote: { state: string; quotedStatus: { content: string; account: { acct: string } } | null } | null }
    ).quote;
    assert.equal(quote?.state, 'accepted');
    assert.match(quote.quotedStatus!.content, /carol says something quotable/);
    assert.equal(quote.quotedStatus!.account.acct, `carol@${b.config.domain}`);
  });

  it("forwards a report to the reported account's server, from the server and not the member", async () => {
    const post = (await bob.client.v1.timelines.home.list({ limit: 40 })).find((s) => (s.reblog ?? s).content.includes('public words'))!;
    const original = post.reblog ?? post;
    const report = await bob.client.v1.reports.create({
      accountId: original.account.id,
      statusIds: [original.id],
      comment: 'forwarded words',
      forward: true,
      category: 'spam',
    });
    assert.equal(report.forwarded, true);
    assert.equal(report.targetAccount.acct, `alice@${a.config.domain}`);
    const [mod] = (await createTestAccounts(a, ['moderator1'])) as [TestAccount];
    await setRole(a.app.db, systemClock, mod.id, 'moderator');
    const adminApp = await createRestAPIClient({ url: a.url }).v1.apps.create({
      clientName: 'Moderation',
      redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
      scopes: 'read admin:read',
    });
    const tokenOf = (username: string) => passwordToken(a.url, adminApp, username, `${username} uses a long password`, 'read admin:read');
    const list = async (token: string) => fetch(`${a.url}/api/v1/admin/reports`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await list(await tokenOf('alice'))).status, 403, 'a member who is no moderator reads reports');
    const modToken = await tokenOf('moderator1');
    const received = await until('the report on A', async () =>
      (
        (await (await list(modToken)).json()) as {
          comment: string;
          origin_domain: string;
          account: unknown;
          target_account: { id: string };
          status_ids: string[];
        }[]
      ).find((r) => r.comment === 'forwarded words'),
    );
    assert.equal(received.origin_domain, b.config.domain);
    assert.equal(received.account, null);
    assert.equal(received.target_account.id, alice.id);
    const onA = (await alice.client.v1.accounts.$select(alice.id).statuses.list()).find((s) => s.content.includes('public words'))!;
    assert.deepEqual(received.status_ids, [onA.id]);
  });

  it('propagates edits and deletions', async () => {
    const own = (await alice.client.v1.accounts.$select(alice.id).statuses.list()).find((s) => s.content.includes('public words'))!;
    await alice.client.v1.statuses.$select(own.id).update({ status: 'hello fediverse, edited words' });
    await until('the edit on B', async () => (await homeTexts(bob)).some((t) => t.includes('edited words')));
    await alice.client.v1.statuses.$select(own.id).remove();
    await until('the deletion on B', async () => !(await row(b.app.db, 'statuses', { uri: own.uri })));
    assert.equal((await fetch(own.uri, { headers: { accept: 'application/activity+json' } })).status, 410);
    assert.ok(!(await homeTexts(bob)).some((t) => t.includes('edited words')));
  });

  it('accepts a signature once: the same signed request replayed is refused', async () => {
    const bobUri = `${b.url}/users/bob`;
    const id = `${bobUri}/statuses/replayed`;
    const create = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${id}/activity`,
      type: 'Create',
      actor: bobUri,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${a.url}/users/alice`],
      object: { id, type: 'Note', attributedTo: bobUri, content: 'said once', to: ['https://www.w3.org/ns/activitystreams#Public'] },
    };
    // Signed by hand over host too: the same signer as the refusal of a signature without host below.
    const request = await (await deliverer(b, 'bob', a)).signed(create, { covering: ['(request-target)', 'host', 'date', 'digest'] });
    const again = request.clone();
    assert.equal((await fetch(request)).status, 202);
    const replay = await fetch(again);
    assert.equal(replay.status, 401);
    assert.deepEqual(await replay.json(), { error: 'This signature was already used' });
  });

  it('refuses forged, tampered and unsigned activities without changing anything', async () => {
    const count = async () => (await rows(a.app.db, 'statuses')).length;
    const before = await count();
    const bobUri = `${b.url}/users/bob`;
    // Addressed to alice, so that A keeps it (a post concerning nobody there would be dropped).
    const note = (id: string, extra: Record<string, unknown> = {}) => ({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${bobUri}/statuses/${id}/activity`,
      type: 'Create',
      actor: bobUri,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${a.url}/users/alice`],
      object: {
        id: `${bobUri}/statuses/${id}`,
        type: 'Note',
        attributedTo: bobUri,
        content: `forged ${id}`,
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        cc: [`${a.url}/users/alice`],
      },
      ...extra,
    });
    // A properly signed activity is accepted (so the refusals below are about what they change).
    assert.equal((await postAsBob(note('genuine'))).status, 202);
    await until('the genuine post on A', async () => (await count()) === before + 1);
    const refusals: [string, Response][] = [
      ['unsigned', await postAsBob(note('unsigned'), { sign: false })],
      [
        'LD signature only',
        await postAsBob(
          note('ld-only', { signature: { type: 'RsaSignature2017', creator: `${bobUri}#main-key`, signatureValue: 'AAAA' } }),
          { sign: false },
        ),
      ],
      ['tampered body', await postAsBob(note('tampered'), { tamper: true })],
      ['stale Date', await postAsBob(note('stale'), { date: new Date(Date.now() - 3 * 3600_000) })],
      [
        'wrong key owner',
        await postAsBob(
          note('owner', {
            actor: `${a.url}/users/alice`,
            id: `${a.url}/users/alice/statuses/owner/activity`,
            object: {
              id: `${a.url}/users/alice/statuses/owner`,
              type: 'Note',
              attributedTo: `${a.url}/users/alice`,
              content: 'forged owner',
            },
          }),
        ),
      ],
      [
        'cross-origin object id',
        await postAsBob(
          note('cross', {
            object: { id: `${a.url}/users/alice/statuses/cross`, type: 'Note', attributedTo: bobUri, content: 'forged cross' },
          }),
        ),
      ],
      ['@graph', await postAsBob({ '@context': 'https://www.w3.org/ns/activitystreams', '@graph': [note('graph')] })],
      [
        '@graph by another name',
        await postAsBob({ ...note('alias'), '@context': ['https://www.w3.org/ns/activitystreams', { g: '@graph' }], g: [note('aliased')] }),
      ],
      // Valid at every server: the signature does not say which one it was for.
      ['signature without host', await postAsBob(note('hostless'), { covering: ['(request-target)', 'date', 'digest'] })],
    ];
    for (const [what, response] of refusals) assert.ok(response.status >= 400 && response.status < 500, `${what}: ${response.status}`);
    // Once A has handled everything it accepted, only the genuine post is there.
    await drained(a.app.db, 'fedify');
    assert.equal(await count(), before + 1);
    const forged = (await rows(a.app.db, 'statuses')).filter((s) => s.content.includes('forged'));
    assert.deepEqual(
      forged.map((f) => f.content.replace(/<[^>]+>/g, '')),
      ['forged genuine'],
    );
  });

  it('drops a post that concerns nobody here, and keeps one that mentions someone', async () => {
    const bobUri = `${b.url}/users/bob`;
    const create = (id: string, extra: Record<string, unknown> = {}) => ({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${bobUri}/statuses/${id}/activity`,
      type: 'Create',
      actor: bobUri,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: {
        id: `${bobUri}/statuses/${id}`,
        type: 'Note',
        attributedTo: bobUri,
        content: `pushed ${id}`,
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        ...extra,
      },
    });
    // Nobody on A follows bob: a public post of his, addressed to nobody there, is not A's to keep.
    assert.equal((await postAsBob(create('unsolicited'))).status, 202);
    // The same from him, mentioning alice, is kept: it is the sentinel that A has handled the first.
    const sentinel = create('mentioning', { cc: [`${a.url}/users/alice`], tag: [{ type: 'Mention', href: `${a.url}/users/alice` }] });
    assert.equal((await postAsBob(sentinel)).status, 202);
    const stored = async (id: string) => (await row(a.app.db, 'statuses', { uri: `${bobUri}/statuses/${id}` })) !== undefined;
    await until('the post mentioning alice on A', () => stored('mentioning'));
    await drained(a.app.db, 'fedify');
    assert.equal(await stored('unsolicited'), false, 'a post concerning nobody here was kept');
    const mentions = await alice.client.v1.notifications.list({ types: ['mention'] });
    assert.ok(mentions.some((n) => n.status?.uri === `${bobUri}/statuses/mentioning`));
  });

  it('carries followers to the new account when one moves, and only when the new one names the old', async () => {
    const [dave, erin] = (await createTestAccounts(a, ['dave', 'erin'])) as [TestAccount, TestAccount];
    const [dave2] = (await createTestAccounts(b, ['dave2'])) as [TestAccount];
    const daveOnB = (await bob.client.v2.search.list({ q: `@dave@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts[0]!;
    await bob.client.v1.accounts.$select(daveOnB.id).follow();
    await erin.client.v1.accounts.$select(dave.id).follow();
    await until('bob following dave', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [daveOnB.id] }))[0]?.following);
    const api = (server: TestServer, who: TestAccount, method: string, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const move = () =>
      api(a, dave, 'POST', '/api/v1/accounts/migration', { acct: `dave2@${b.config.domain}`, password: 'dave uses a long password' });

    // Until dave2 names dave as an alias, dave cannot move there; a wrong password is refused as well.
    const early = await move();
    assert.equal(early.status, 422);
    assert.match(((await early.json()) as { error: string }).error, /alias/);
    assert.equal((await api(b, dave2, 'POST', '/api/v1/accounts/aliases', { acct: `dave@${a.config.domain}` })).status, 200);
    assert.deepEqual(
      ((await (await api(b, dave2, 'GET', '/api/v1/accounts/aliases', undefined)).json()) as { aliases: { uri: string }[] }).aliases,
      [{ uri: `${a.url}/users/dave` }],
    );
    assert.equal(
      (await api(a, dave, 'POST', '/api/v1/accounts/migration', { acct: `dave2@${b.config.domain}`, password: 'not it' })).status,
      403,
    );

    const moved = await move();
    assert.equal(moved.status, 200);
    assert.equal(((await moved.json()) as { moved_to: { acct: string } }).moved_to.acct, `dave2@${b.config.domain}`);
    const actor = (await (await fetch(`${a.url}/users/dave`, { headers: { accept: 'application/activity+json' } })).json()) as {
      movedTo?: string;
    };
    assert.equal(actor.movedTo, `${b.url}/users/dave2`);
    // erin (dave's server) and bob (the new account's server) now follow dave2, and no longer dave.
    const dave2OnA = (await erin.client.v1.accounts.lookup({ acct: `dave2@${b.config.domain}` })).id;
    await until('erin following dave2', async () => (await erin.client.v1.accounts.relationships.fetch({ id: [dave2OnA] }))[0]?.following);
    assert.equal((await erin.client.v1.accounts.relationships.fetch({ id: [dave.id] }))[0]?.following, false);
    await until('bob following dave2', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [dave2.id] }))[0]?.following);
    assert.equal((await bob.client.v1.accounts.relationships.fetch({ id: [daveOnB.id] }))[0]?.following, false);
    assert.equal((await dave2.client.v1.accounts.$select(dave2.id).followers.list()).length, 2);
    // Apps show where the account went, and its followers are told.
    const shown = (await (await fetch(`${a.url}/api/v1/accounts/${dave.id}`)).json()) as { moved?: { acct: string } };
    assert.equal(shown.moved?.acct, `dave2@${b.config.domain}`);
    const told = await erin.client.v1.notifications.list({ types: ['move'] as never });
    assert.equal(told[0]?.account.id, dave.id);

    // A Move to an account that does not name the mover moves nobody.
    const bobUri = `${b.url}/users/bob`;
    const bobOnA = (await erin.client.v1.accounts.lookup({ acct: `bob@${b.config.domain}` })).id;
    await erin.client.v1.accounts.$select(bobOnA).follow();
    assert.equal(
      (
        await postAsBob({
          '@context': 'https://www.w3.org/ns/activitystreams',
          id: `${bobUri}#moves/forged`,
          type: 'Move',
          actor: bobUri,
          object: bobUri,
          target: `${b.url}/users/carol`,
        })
      ).status,
      202,
    );
    await drained(a.app.db, 'fedify');
    assert.equal((await row(a.app.db, 'accounts', { uri: bobUri }))!.moved_to_account_id, null);
    assert.equal(
      (await erin.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.requested ||
        (await erin.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following,
      true,
    );
  });

  it('tells the servers that knew a deleted account, even when it was deleted from the command line', async () => {
    const [gina] = (await createTestAccounts(a, ['gina'])) as [TestAccount];
    const ginaOnB = (await bob.client.v2.search.list({ q: `@gina@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts[0]!;
    await bob.client.v1.accounts.$select(ginaOnB.id).follow();
    await until('bob following gina', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [ginaOnB.id] }))[0]?.following);
    await gina.client.v1.statuses.create({ status: 'gina was here' });
    await until("gina's post on B", async () => (await homeTexts(bob)).some((t) => t.includes('gina was here')));
    // As `stoa accounts delete` does it: commands of its own over the database, no change feed shared with
    // the server (whose workers find the queued Delete at their next poll).
    const cli = cliCommands(a.app.db, a.config);
    await cli.accounts.delete(cliActor((await findAccountById(a.app.db.read, gina.id))!));
    const gone = await fetch(`${a.url}/users/gina`, { headers: { accept: 'application/activity+json' } });
    assert.equal(gone.status, 410);
    await until('gina gone from B', async () => !(await row(b.app.db, 'accounts', { id: ginaOnB.id })));
    assert.ok(!(await homeTexts(bob)).some((t) => t.includes('gina was here')));
  });

  it('leaves the global fetch as it was (deliveries and lookups go through the SSRF guard they are given)', () => {
    assert.equal(globalThis.fetch, nativeFetch);
  });

  it('stops delivering to an account that blocks', async () => {
    await alice.client.v1.accounts.$select((await alice.client.v1.accounts.lookup({ acct: `bob@${b.config.domain}` })).id).block();
    await until(
      'bob no longer following on B',
      async () => !(await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]?.following,
    );
    await alice.client.v1.statuses.create({ status: 'after the block', visibility: 'public' });
    // Once A has turned the post into deliveries and made them, and B has handled what it received, the
    // post is not on B.
    for (const [server, channel] of [
      [a, 'activity-events'],
      [a, 'fedify'],
      [b, 'fedify'],
    ] as const) {
      await drained(server.app.db, channel);
    }
    assert.ok(!(await rows(b.app.db, 'statuses')).some((s) => s.content.includes('after the block')));
  });
});
