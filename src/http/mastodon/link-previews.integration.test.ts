import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { JOBS_CHANNEL } from '../../domain/jobs.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { drained } from '../../testing/queues.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// Link preview cards: the workers fetch a post's first link through the SSRF guard (a web site on a
// loopback address here), read its OpenGraph tags and oEmbed document, re-encode its image, and the card
// shows in the Status entity; one fetch serves every post linking the same page; nothing is fetched when
// previews are off.

const SITE = '127.0.0.4';
let site: Server;
let siteUrl: string;
const hits = new Map<string, number>();
let image: Buffer;

before(async () => {
  image = await sharp({ create: { width: 1200, height: 630, channels: 3, background: '#2a5' } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Artist: 'SecretPhotographerName' } } })
    .toBuffer();
  site = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/article') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><head>
        <title>Fallback title</title>
        <meta property="og:title" content="Gardens &amp; bees">
        <meta property="og:description" content="How a city&#39;s rooftops feed its bees.">
        <meta property="og:image" content="/cover.jpg">
        <meta property="og:site_name" content="The Loopback Times">
        <meta property="article:published_time" content="2026-11-20T08:00:00Z">
        <link rel="alternate" type="application/json+oembed" href="/oembed.json">
      </head><body><p>${'text '.repeat(1000)}</p></body></html>`);
    } else if (path === '/oembed.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ type: 'rich', author_name: 'Ada Gardener', author_url: `${siteUrl}/ada`, html: '<script>alert(1)</script>' }),
      );
    } else if (path === '/cover.jpg') {
      res.setHeader('content-type', 'image/jpeg');
      res.end(image);
    } else if (path === '/data.json') {
      res.setHeader('content-type', 'application/json');
      res.end('{"title":"not a page"}');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, SITE, resolve));
  siteUrl = `http://${SITE}:${(site.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => site.close(() => resolve())));

describe('link preview cards', () => {
  let server: TestServer;
  let ana: TestAccount;
  before(async () => {
    server = await startTestServer({ STOA_ALLOWED_PRIVATE_PEERS: SITE }, { workers: true });
    [ana] = (await createTestAccounts(server, ['ana'])) as [TestAccount];
  });
  after(() => server.close());

  it("are made from the first link's page and shown with the post", async () => {
    const post = await ana.client.v1.statuses.create({ status: `#bees @ana read ${siteUrl}/article and ${siteUrl}/data.json` });
    assert.equal(post.card, null, 'fetched by the workers, never while posting');
    const card = await until('the card is fetched', async () => (await ana.client.v1.statuses.$select(post.id).fetch()).card ?? undefined);
    assert.equal(card.url, `${siteUrl}/article`);
    assert.equal(card.title, 'Gardens & bees');
    assert.equal(card.description, "How a city's rooftops feed its bees.");
    assert.equal(card.providerName, 'The Loopback Times');
    assert.equal(card.authorName, 'Ada Gardener');
    assert.equal(card.type, 'link');
    assert.equal(card.html, '', "a page's HTML is never embedded");
    assert.equal(card.language, 'en');
    assert.ok(card.image?.startsWith(server.config.media.baseUrl), 'the image is served from here');
    const served = Buffer.from(await (await fetch(`${server.url}${new URL(card.image!).pathname}`)).arrayBuffer());
    assert.ok(!served.includes('SecretPhotographerName'), 're-encoded without its metadata');
    assert.ok(card.width! <= 640 && card.width! > 0 && card.blurhash);

    const before = hits.get('/article');
    const again = await ana.client.v1.statuses.create({ status: `again ${siteUrl}/article` });
    assert.equal(again.card?.title, 'Gardens & bees', 'a fresh card is shown at once');
    assert.equal(hits.get('/article'), before, 'and the page is not fetched again');

    const edited = await ana.client.v1.statuses.$select(again.id).update({ status: 'no link now' });
    assert.equal(edited.card, null, 'an edit without the link drops the card');
  });

  it('are not made of a page that is not HTML, nor of mentions and hashtags', async () => {
    const json = await ana.client.v1.statuses.create({ status: `${siteUrl}/data.json` });
    const tags = await ana.client.v1.statuses.create({ status: '#gardens @ana' });
    await drained(server.app.db, JOBS_CHANNEL);
    assert.ok(hits.get('/data.json'), 'the page was tried');
    assert.equal((await ana.client.v1.statuses.$select(json.id).fetch()).card, null);
    assert.equal((await ana.client.v1.statuses.$select(tags.id).fetch()).card, null);
  });
});

describe('with previews off', () => {
  it('nothing is fetched', async () => {
    const server = await startTestServer({ STOA_ALLOWED_PRIVATE_PEERS: SITE, STOA_LINK_PREVIEWS: 'false' }, { workers: true });
    try {
      const [ben] = (await createTestAccounts(server, ['ben'])) as [TestAccount];
      const before = hits.get('/article?off') ?? 0;
      const post = await ben.client.v1.statuses.create({ status: `${siteUrl}/article?off` });
      await drained(server.app.db, JOBS_CHANNEL);
      assert.equal(hits.get('/article?off') ?? 0, before);
      assert.equal((await ben.client.v1.statuses.$select(post.id).fetch()).card, null);
    } finally {
      await server.close();
    }
  });
});
