import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { chromiumMissing, launchChromium, screenshotPath } from '../../../testing/chromium.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';
import { until } from '../../../testing/until.ts';

// The web client used with the keyboard alone, the new-post banner, editing and quoting, and what the
// service worker keeps (the app's files, never an API answer).

const missing = chromiumMissing();
let server: TestServer;
let browser: Browser;
let dana: TestAccount;
let erin: TestAccount;
let page: Page;

before(async () => {
  if (missing) return;
  server = await startFederatedServer('127.0.0.10', []);
  [dana, erin] = (await createTestAccounts(server, ['dana', 'erin'])) as [TestAccount, TestAccount];
  await dana.client.v1.accounts.$select(erin.id).follow();
  browser = await launchChromium();
  const context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  // The page's timers run on a clock the test moves: the 20-second poll for new posts takes no 20 seconds.
  await page.clock.install();
  await page.goto(`${server.url}/auth/sign_in`);
  await page.getByLabel('Email address or username').fill('dana');
  await page.getByLabel('Password').fill('dana uses a long password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Presses Tab until the focused element is the one wanted (at most 60 times). */
async function tabTo(name: RegExp): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = (
        globalThis as unknown as {
          document: { activeElement: { textContent: string | null; getAttribute(n: string): string | null } | null };
        }
      ).document.activeElement;
      return `${element?.getAttribute('aria-label') ?? ''} ${element?.textContent ?? ''}`.trim();
    });
    if (name.test(focused)) return;
  }
  assert.fail(`never reached ${name} with Tab`);
}

describe('the web client, further', { skip: missing ?? false }, () => {
  it('can be used with the keyboard alone: skip link, compose, publish', async () => {
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent,
      ),
      'Skip to content',
    );
    await tabTo(/^New post$/);
    await page.keyboard.press('Enter');
    // The dialog opens with the focus in the text.
    await until('the focus is in the text', () =>
      page
        .getByLabel('What is on your mind?')
        .evaluate(
          (element) => element === (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
        ),
    );
    await page.keyboard.type('Typed without a mouse');
    await tabTo(/^Publish$/);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Your post is published' }).waitFor();
    await page.getByRole('article').filter({ hasText: 'Typed without a mouse' }).waitFor();
    // Escape closes a dialog and gives the focus back.
    await page.keyboard.press('Tab');
    await tabTo(/^New post$/);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('announces new posts with a banner instead of moving the timeline', async () => {
    await erin.client.v1.statuses.create({ status: 'Fresh from erin' });
    assert.equal(await page.getByText('Fresh from erin').count(), 0);
    await page.clock.runFor(21_000);
    const banner = page.getByRole('button', { name: 'Show 1 new item' });
    await banner.waitFor();
    // The live region says so to screen readers too.
    await until('the live region speaks', async () => /1 new item/.test((await page.getByRole('status').textContent()) ?? ''));
    await banner.click();
    await page.getByRole('article').filter({ hasText: 'Fresh from erin' }).waitFor();
    await page.screenshot({ path: screenshotPath('app-new-posts') });
  });

  it('edits a post and quotes another', async () => {
    const mine = page.getByRole('article').filter({ hasText: 'Typed without a mouse' });
    await mine.getByLabel('More').click();
    await mine.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Edit post' }).waitFor();
    assert.equal(await dialog.getByLabel('What is on your mind?').inputValue(), 'Typed without a mouse');
    await dialog.getByLabel('What is on your mind?').fill('Typed without a mouse, then edited');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Your post is updated' }).waitFor();
    await page.getByRole('article').filter({ hasText: 'Typed without a mouse, then edited' }).getByText('· edited').waitFor();

    await page.getByRole('article').filter({ hasText: 'Fresh from erin' }).getByRole('button', { name: 'Quote' }).click();
    await dialog.getByRole('heading', { name: 'Quote @erin' }).waitFor();
    await dialog.getByLabel('What is on your mind?').fill('Worth reading');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    const quoting = page.getByRole('article').filter({ hasText: 'Worth reading' });
    await quoting.waitFor();
    await quoting.getByRole('link', { name: /Quoted post by erin/ }).waitFor();
    const statuses = await erin.client.v1.notifications.list({ types: ['quote'] });
    assert.equal(statuses[0]?.type, 'quote');
  });

  it('keeps the app files for offline starts, and never an API answer', async () => {
    await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator;
      await nav.serviceWorker.ready;
    });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    const cached = await page.evaluate(async () => {
      const store = (
        globalThis as unknown as { caches: { keys(): Promise<string[]>; open(n: string): Promise<{ keys(): Promise<{ url: string }[]> }> } }
      ).caches;
      const urls: string[] = [];
      for (const name of await store.keys())
        for (const request of await (await store.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    assert.ok(cached.includes('/offline.html'), cached.join(' '));
    assert.ok(
      cached.some((path) => path.startsWith('/assets/app-')),
      cached.join(' '),
    );
    assert.deepEqual(
      cached.filter((path) => path.startsWith('/api/') || path === '/' || path.startsWith('/web/')),
      [],
    );
  });
});
