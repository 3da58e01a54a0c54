import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coversAuthority, replayGuard, screenInbox } from './inbox-screen.ts';

const servers = { federates: () => true, rejectsReports: () => false };
const cavage = (covered: string) =>
  new Headers({ signature: `keyId="https://b.example/users/bob#main-key",algorithm="rsa-sha256",headers="${covered}",signature="AAAA"` });

describe('the inbox screen', () => {
  it('requires a signature that names the server it was meant for', () => {
    assert.equal(coversAuthority(cavage('(request-target) host date digest')), true);
    assert.equal(coversAuthority(cavage('(request-target) Host date')), true);
    assert.equal(coversAuthority(cavage('(request-target) date digest')), false);
    assert.equal(coversAuthority(new Headers({ signature: 'keyId="k",signature="AAAA"' })), false, 'the default list is date alone');
    const rfc9421 = (input: string) => new Headers({ 'signature-input': input, signature: 'sig1=:AAAA:' });
    assert.equal(coversAuthority(rfc9421('sig1=("@method" "@target-uri" "content-digest");created=1;keyid="k"')), true);
    assert.equal(coversAuthority(rfc9421('sig1=("@method" "@authority" "@path");created=1;keyid="k"')), true);
    assert.equal(coversAuthority(rfc9421('sig1=("@method" "@path" "content-digest");created=1;keyid="k"')), false);
    assert.equal(
      coversAuthority(rfc9421('sig1=("@authority");keyid="k", sig2=("@path");keyid="k"')),
      false,
      'every signature must cover it',
    );
  });

  it('refuses @graph, @reverse and @included under any name an inline context gives them', async () => {
    const screen = (activity: Record<string, unknown>) =>
      screenInbox(
        new Request('https://a.example/inbox', {
          method: 'POST',
          headers: cavage('(request-target) host date digest'),
          body: JSON.stringify({
            id: 'https://b.example/a/1',
            type: 'Like',
            actor: 'https://b.example/users/bob',
            object: 'https://a.example/p/1',
            ...activity,
          }),
        }),
        servers,
      );
    const AS = 'https://www.w3.org/ns/activitystreams';
    for (const context of [
      [AS, { g: '@graph' }],
      [AS, { inc: { '@id': '@included' } }],
      [AS, { likedBy: { '@reverse': 'as:actor' } }],
      [AS, { items: { '@id': 'as:items', '@container': '@graph' } }],
      { '@version': 1.1, scoped: { '@id': 'as:x', '@context': { hidden: '@graph' } } },
    ]) {
      const answer = await screen({ '@context': context });
      assert.ok(answer instanceof Response, JSON.stringify(context));
      assert.equal(answer.status, 400);
    }
    // Mastodon's own inline context passes.
    const mastodon = await screen({
      '@context': [
        AS,
        {
          toot: 'http://joinmastodon.org/ns#',
          featured: { '@id': 'toot:featured', '@type': '@id' },
          focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
        },
      ],
    });
    assert.ok(!(mastodon instanceof Response), 'handed on');
  });

  it('answers 400 for a body the sender stopped sending, without throwing', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"Cre'));
        controller.error(new Error('aborted'));
      },
    });
    const request = new Request('https://a.example/inbox', {
      method: 'POST',
      headers: cavage('(request-target) host date digest'),
      body,
      duplex: 'half',
    });
    const answer = await screenInbox(request, servers);
    assert.ok(answer instanceof Response);
    assert.equal(answer.status, 400);
  });

  it('remembers accepted signatures for the window, and only for it', () => {
    let now = 0;
    const guard = replayGuard(() => now, 1000, 3);
    const one = cavage('(request-target) host date');
    assert.equal(guard.replayed(one), false);
    guard.remember(one);
    assert.equal(guard.replayed(one), true);
    now = 999;
    assert.equal(guard.replayed(one), true);
    now = 1000;
    assert.equal(guard.replayed(one), false, 'past the window the date check refuses it anyway');
    // Bounded: the oldest are forgotten first.
    for (const covered of ['a host', 'b host', 'c host', 'd host']) guard.remember(cavage(covered));
    assert.equal(guard.replayed(cavage('a host')), false);
    assert.equal(guard.replayed(cavage('d host')), true);
  });
});
