import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { chromiumMissing, launchChromium, screenshotPath, seriousAccessibilityViolations } from '../../../testing/chromium.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';

// The public pages in a real browser (Debian's chromium): read with JavaScript turned off, checked by
// axe-core for serious accessibility problems. Screenshots land in test-artifacts/screenshots.

const missing = chromiumMissing();
let server: TestServer;
let browser: Browser;
let alice: TestAccount;
const pages: Record<string, string> = {};

before(async () => {
  if (missing) return;
  // Its domain is its own address, so that the browser can load the images the pages link to.
  server = await startFederatedServer('127.0.0.8', []);
  [alice] = (await createTestAccounts(server, ['alice'])) as [TestAccount];
  await alice.client.v1.accounts.updateCredentials({
    displayName: 'Alice Example',
    note: 'Watches birds.\n\nWrites about them.',
    fieldsAttributes: [{ name: 'Site', value: 'https://alice.example' }],
  });
  const jpeg = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 120, b: 60 } } })
    .jpeg()
    .toBuffer();
  const media = await alice.client.v2.media.create({
    file: new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }),
    description: 'A green field',
  });
  for (let i = 0; i < 50 && !(await alice.client.v1.media.$select(media.id).fetch()).url; i++) await new Promise((r) => setTimeout(r, 100));
  const post = await alice.client.v1.statuses.create({ status: 'Saw a heron today #birds', mediaIds: [media.id] });
  await alice.client.v1.statuses.create({ status: 'A reply to myself', inReplyToId: post.id });
  await alice.client.v1.statuses.create({ status: 'Careful now', spoilerText: 'spoilers about herons' });
  const secret = await alice.client.v1.statuses.create({ status: 'for followers only', visibility: 'private' });
  Object.assign(pages, {
    profile: '/@alice',
    post: `/@alice/${post.id}`,
    tag: '/tags/birds',
    about: '/about',
    hidden: `/@alice/${secret.id}`,
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('public pages in a browser', { skip: missing ?? false }, () => {
  it('are readable with JavaScript turned off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}${pages.profile}`);
    assert.equal(await page.locator('h1').first().textContent(), 'Alice Example');
    assert.match((await page.locator('.bio').textContent())!, /Watches birds\./);
    assert.ok(await page.getByText('Saw a heron today').isVisible());
    assert.equal(await page.getByText('for followers only').count(), 0);
    // A content warning hides the text until opened, without any script.
    assert.equal(await page.getByText('Careful now').isVisible(), false);
    await page.getByText('spoilers about herons').click();
    assert.ok(await page.getByText('Careful now').isVisible());
    await page.screenshot({ path: screenshotPath('public-profile'), fullPage: true });

    await page.goto(`${server.url}${pages.post}`);
    assert.equal(await page.locator('img[alt="A green field"]').count(), 1);
    assert.ok(await page.getByText('A reply to myself').isVisible());
    assert.match((await page.locator('meta[property="og:image"]').getAttribute('content'))!, /\/media\//);
    // The photo loads from this server's media.
    const photo = page.locator('img[alt="A green field"]');
    await photo.scrollIntoViewIfNeeded();
    assert.ok(
      await photo.evaluate(
        (img) =>
          (img as unknown as { complete: boolean; naturalWidth: number }).complete &&
          (img as unknown as { naturalWidth: number }).naturalWidth > 0,
      ),
      'the photo did not load',
    );
    await page.screenshot({ path: screenshotPath('public-post'), fullPage: true });

    const hidden = await page.goto(`${server.url}${pages.hidden}`);
    assert.equal(hidden?.status(), 404);
    assert.ok(await page.getByText('There is nothing here').isVisible());

    await page.goto(`${server.url}${pages.about}`);
    assert.ok(await page.getByRole('heading', { name: /About/ }).isVisible());
    await page.screenshot({ path: screenshotPath('public-about'), fullPage: true });
    await context.close();
  });

  it('have no serious or critical accessibility violations (axe-core)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${server.url}${path}`);
      assert.deepEqual(await seriousAccessibilityViolations(page), [], `${name} (${path})`);
    }
    await context.close();
  });
});
