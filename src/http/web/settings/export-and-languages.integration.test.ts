import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { TestBrowser } from '../../../testing/browser.ts';
import { startTestServer, type TestServer } from '../../../testing/test-app.ts';

// The server's own pages speak the member's language; the security settings export the member's data.

let server: TestServer;
let ada: TestAccount;
let bo: TestAccount;
let cy: TestAccount;

before(async () => {
  server = await startTestServer();
  [ada, bo, cy] = (await createTestAccounts(server, ['ada', 'bo', 'cy'])) as [TestAccount, TestAccount, TestAccount];
});
after(() => server.close());

const h1 = (page: string) => /<h1>([^<]*)<\/h1>/.exec(page)?.[1];
const lang = (page: string) => /<html lang="([^"]+)">/.exec(page)?.[1];

describe("the pages' language", () => {
  it('follows Accept-Language, and the language chosen in the web app over it', async () => {
    const german = await new TestBrowser(server.url, { 'accept-language': 'de-AT,de;q=0.9,en;q=0.5' }).page('/auth/sign_in');
    assert.equal(lang(german.html), 'de');
    assert.equal(h1(german.html), 'Bei stoa.test anmelden');
    assert.match(german.html, /<label for="f-password">Passwort<\/label>/);
    assert.match(german.html, /data-msg-unsupported="Dieser Browser unterstützt keine Passkeys."/);

    const french = new TestBrowser(server.url, { 'accept-language': 'de' });
    french.cookies.set('stoa_locale', 'fr');
    const signUp = await french.page('/auth/sign_up');
    assert.equal(lang(signUp.html), 'fr');
    assert.equal(h1(signUp.html), 'Créer un compte sur stoa.test');
    assert.match(signUp.html, /J’accepte les <a href="\/about">règles du serveur<\/a>/);
    assert.match(signUp.html, /data-running="Vérification que vous n’êtes pas un robot…"/);

    const other = await new TestBrowser(server.url, { 'accept-language': 'ja, *' }).page('/auth/password');
    assert.equal(lang(other.html), 'en');
    assert.equal(h1(other.html), 'Reset your password');
    const bogus = new TestBrowser(server.url);
    bogus.cookies.set('stoa_locale', 'xx"><script>');
    assert.equal(lang((await bogus.page('/')).html), 'en');
    const landing = await new TestBrowser(server.url, { 'accept-language': 'fr' }).page('/');
    assert.match(landing.html, /<dt>Membres<\/dt>/);
  });
});

describe("exporting one's data", () => {
  let browser: TestBrowser;

  before(async () => {
    await ada.client.v1.accounts.$select(bo.id).follow({ reblogs: false, notify: true });
    await ada.client.v1.accounts.$select(cy.id).block();
    await ada.client.v1.accounts.$select(bo.id).mute({ notifications: false });
    await ada.client.v1.domainBlocks.create({ domain: 'spam.example' });
    const bos = await bo.client.v1.statuses.create({ status: 'worth keeping' });
    await ada.client.v1.statuses.$select(bos.id).bookmark();
    const mine = await ada.client.v1.statuses.create({
      status: 'my own words, "quoted", and commas',
      spoilerText: 'cw',
      visibility: 'private',
    });
    await ada.client.v1.statuses.create({ status: 'a reply to myself', inReplyToId: mine.id });
    await ada.client.v1.statuses.$select(bos.id).reblog();
    browser = new TestBrowser(server.url);
    assert.equal((await browser.signIn('ada', 'ada uses a long password')).status, 303);
  });

  it('lists the files on the settings page', async () => {
    const page = await browser.page('/settings/export');
    assert.equal(page.status, 200);
    for (const file of [
      'outbox.json',
      'following_accounts.csv',
      'blocked_accounts.csv',
      'muted_accounts.csv',
      'blocked_domains.csv',
      'bookmarks.csv',
    ]) {
      assert.match(page.html, new RegExp(`href="/settings/export/${file.replace('.', '\\.')}"`));
    }
  });

  it('gives the lists in the CSV shapes Mastodon imports', async () => {
    const file = async (name: string) => {
      const res = await browser.get(`/settings/export/${name}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/csv/);
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="ada-${name}"`);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      return res.text();
    };
    assert.equal(
      await file('following_accounts.csv'),
      'Account address,Show boosts,Notify on new posts,Languages\nbo@stoa.test,false,true,\n',
    );
    assert.equal(await file('blocked_accounts.csv'), 'cy@stoa.test\n');
    assert.equal(await file('muted_accounts.csv'), 'Account address,Hide notifications\nbo@stoa.test,false\n');
    assert.equal(await file('blocked_domains.csv'), 'spam.example\n');
    assert.match(await file('bookmarks.csv'), /^http:\/\/stoa\.test\/users\/[\w-]+\/statuses\/[\w-]+\n$/);
  });

  it("gives the member's own posts, of every visibility, as ActivityStreams", async () => {
    const res = await browser.get('/settings/export/outbox.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/activity\+json/);
    const outbox = (await res.json()) as {
      type: string;
      totalItems: number;
      orderedItems: {
        type: string;
        object: { content?: string; summary?: string; visibility?: string; inReplyTo?: string; source?: { content: string } } | string;
      }[];
    };
    assert.equal(outbox.type, 'OrderedCollection');
    assert.equal(outbox.totalItems, 3);
    const [first, reply, repost] = outbox.orderedItems;
    assert.equal(first!.type, 'Create');
    assert.deepEqual(
      typeof first!.object === 'object' && [first!.object.source?.content, first!.object.summary, first!.object.visibility],
      ['my own words, "quoted", and commas', 'cw', 'private'],
    );
    assert.ok(typeof reply!.object === 'object' && reply!.object.inReplyTo === (first!.object as { id?: string }).id);
    assert.equal(repost!.type, 'Announce');
    assert.match(repost!.object as string, /^http:\/\/stoa\.test\/users\//);
  });

  it('is for the signed-in member only, refuses unknown files, and is rate-limited', async () => {
    const visitor = await new TestBrowser(server.url).get('/settings/export/outbox.json');
    assert.equal(visitor.status, 303);
    assert.match(visitor.headers.get('location')!, /^\/auth\/sign_in/);
    assert.equal((await browser.get('/settings/export/..%2Fsecret')).status, 404);
    assert.equal((await browser.get('/settings/export/users.csv')).status, 404);
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) status = (await browser.get('/settings/export/blocked_domains.csv')).status;
    assert.equal(status, 429);
  });
});
