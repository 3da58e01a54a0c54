import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../../testing/test-app.ts';

// The public web without JavaScript: what a signed-out browser and a link preview see.

let server: TestServer;
let alice: TestAccount;
let bob: TestAccount;

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
const meta = (page: string, property: string) => new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)"`).exec(page)?.[1];

before(async () => {
  const rulesFile = join(mkdtempSync(join(tmpdir(), 'stoa-rules-')), 'rules.txt');
  writeFileSync(rulesFile, '# our rules\nBe kind.\nNo spam <b>ever</b>.\n');
  server = await startTestServer({ STOA_RULES_FILE: rulesFile });
  [alice, bob] = (await createTestAccounts(server, ['alice', 'bob'])) as [TestAccount, TestAccount];
  await alice.client.v1.accounts.updateCredentials({
    displayName: 'Al <script>alert(1)</script>',
    note: 'Writes about <birds> & bees',
    discoverable: true,
    fieldsAttributes: [{ name: 'site', value: 'https://alice.example' }],
  });
});

after(() => server.close());

describe('public pages', () => {
  it('shows a profile with its public posts, OpenGraph tags and a canonical link, escaped', async () => {
    await alice.client.v1.statuses.create({ status: 'a public thought about #birds', visibility: 'public' });
    await alice.client.v1.statuses.create({ status: 'only for my followers', visibility: 'private' });
    await alice.client.v1.statuses.create({ status: `@bob a direct word`, visibility: 'direct' });
    const res = await get('/@alice');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy')!, /script-src 'self'/);
    const page = await res.text();
    assert.ok(!page.includes('<script>alert(1)'), 'the display name is not escaped');
    assert.ok(page.includes('Al &lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.match(page, /Writes about &lt;birds&gt; &amp; bees/);
    assert.match(page, /a public thought about/);
    assert.ok(!page.includes('only for my followers') && !page.includes('a direct word'), 'a private post is on the public profile');
    assert.ok(!page.includes('alice@example.org'), 'the email address is on the page');
    assert.equal(meta(page, 'og:type'), 'profile');
    assert.equal(meta(page, 'og:url'), `${server.config.publicUrl}/@alice`);
    assert.match(meta(page, 'og:description')!, /Writes about <birds>|Writes about &lt;birds&gt;/);
    assert.match(page, new RegExp(`<link rel="canonical" href="${server.config.publicUrl}/@alice">`));
    assert.match(page, /<link rel="alternate" type="application\/atom\+xml"/);
    assert.ok(!/<script/i.test(page.replace(/<script src="[^"]+" defer><\/script>/g, '')), 'an inline script is on the page');
  });

  it('shows a post with its thread; a followers-only post is a 404 to a signed-out browser, like one that never existed', async () => {
    const root = await alice.client.v1.statuses.create({ status: 'what is your favourite bird?', visibility: 'public' });
    await bob.client.v1.statuses.create({ status: 'the wren, clearly', inReplyToId: root.id });
    const res = await get(`/@alice/${root.id}`);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /what is your favourite bird\?/);
    assert.match(page, /the wren, clearly/);
    assert.equal(meta(page, 'og:type'), 'article');
    assert.equal(meta(page, 'og:description'), 'what is your favourite bird?');
    assert.equal(meta(page, 'og:url'), `${server.config.publicUrl}/@alice/${root.id}`);
    const secret = await alice.client.v1.statuses.create({ status: 'a followers-only secret', visibility: 'private' });
    const hidden = await get(`/@alice/${secret.id}`);
    assert.equal(hidden.status, 404);
    const hiddenPage = await hidden.text();
    assert.ok(!hiddenPage.includes('a followers-only secret'));
    const missing = await get(`/@alice/${secret.id.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'))}`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), hiddenPage, 'a hidden post and a missing one answer differently');
    assert.equal((await get(`/@bob/${root.id}`)).status, 404, 'a post is shown under another account');
    // A pasted link, looked up by another server, leads to the ActivityPub objects.
    const asAp = { accept: 'application/activity+json' };
    assert.equal((await get(`/@alice/${root.id}`, asAp)).headers.get('location'), root.uri);
    assert.equal((await get('/@alice', asAp)).headers.get('location'), `${server.config.publicUrl}/users/alice`);
    assert.equal((await get(`/@alice/${secret.id}`, asAp)).status, 404);
    assert.equal((await get('/@nobody')).status, 404);
  });

  it('puts the first image in the preview, with its description on the page', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 90, b: 200 } } })
      .jpeg()
      .toBuffer();
    const media = await alice.client.v2.media.create({
      file: new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }),
      description: 'a blue rectangle',
    });
    for (let i = 0; i < 50 && !(await alice.client.v1.media.$select(media.id).fetch()).url; i++)
      await new Promise((r) => setTimeout(r, 100));
    const post = await alice.client.v1.statuses.create({ status: 'look at this', mediaIds: [media.id] });
    const page = await (await get(`/@alice/${post.id}`)).text();
    assert.ok(meta(page, 'og:image')!.startsWith(server.config.media.baseUrl));
    assert.match(page, /<img src="[^"]+" alt="a blue rectangle" loading="lazy"/);
  });

  it('shows the public posts of a hashtag, where hashtag links lead', async () => {
    await alice.client.v1.statuses.create({ status: 'secret #birds talk', visibility: 'private' });
    const profile = await (await get('/@alice')).text();
    const link = /<a href="([^"]+)" class="mention hashtag" rel="tag">#<span>birds<\/span><\/a>/.exec(profile)![1]!;
    const res = await get(new URL(link).pathname);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<h1>#birds<\/h1>/);
    assert.match(page, /a public thought about/);
    assert.ok(!page.includes('secret #birds talk') && !page.includes('secret'), 'a followers-only post is on the hashtag page');
    assert.equal((await get('/tags/no%20such')).status, 404);
  });

  it('serves an Atom feed of public posts only', async () => {
    const res = await get('/@alice.atom');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /application\/atom\+xml/);
    const feed = await res.text();
    assert.match(feed, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    assert.match(feed, /<title>a public thought about #birds<\/title>/);
    assert.ok(!feed.includes('followers') || !feed.includes('only for my followers'));
    assert.ok(!feed.includes('a followers-only secret') && !feed.includes('a direct word'));
    assert.ok((feed.match(/<entry>/g) ?? []).length >= 3);
  });

  it('shows the rules on /about and at sign-up, and in the Instance API', async () => {
    const page = await (await get('/about')).text();
    assert.match(page, /<li>Be kind\.<\/li>/);
    assert.match(page, /<li>No spam &lt;b&gt;ever&lt;\/b&gt;\.<\/li>/);
    assert.ok(!page.includes('our rules'), 'a comment line is shown as a rule');
    const signUp = await (await get('/auth/sign_up')).text();
    assert.match(
      signUp,
      /<h2 id="rules-heading">Server rules<\/h2><ol class="rules"><li>Be kind\.<\/li>/,
      'the sign-up form does not show the rules',
    );
    const rules = (await (await get('/api/v1/instance/rules')).json()) as { id: string; text: string }[];
    assert.deepEqual(
      rules.map((r) => r.text),
      ['Be kind.', 'No spam <b>ever</b>.'],
    );
    // Reports name rules by those ids; others are refused.
    const report = (ruleIds: string[]) =>
      fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: alice.id, rule_ids: ruleIds }),
      });
    assert.equal((await report(['3'])).status, 422);
    const filed = (await (await report([rules[1]!.id])).json()) as { category: string; rule_ids: string[] };
    assert.deepEqual([filed.category, filed.rule_ids], ['violation', ['2']]);
  });
});

describe('public pages on a server that requires signing in', () => {
  let closed: TestServer;
  before(async () => {
    closed = await startTestServer({ STOA_PUBLIC_PAGES: 'signed-in' });
    await createTestAccounts(closed, ['carol']);
  });
  after(() => closed.close());

  it('sends a signed-out visitor to sign in, for pages and feeds', async () => {
    for (const path of ['/@carol', '/@carol.atom']) {
      const res = await fetch(`${closed.url}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.get('location'), `/auth/sign_in?return_to=${encodeURIComponent(path)}`);
    }
  });
});
