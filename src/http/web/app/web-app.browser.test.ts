import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { totpCode } from '../../../lib/totp.ts';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { chromiumMissing, launchChromium, screenshotPath, seriousAccessibilityViolations } from '../../../testing/chromium.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';
import { until } from '../../../testing/until.ts';

// The web client in a real browser (Debian's chromium): a new member signs up and confirms the address
// through the development mailbox (mail files), posts a photo with alt text, follows a second member, and
// the two see, answer and like each other's posts; then search, languages, two-factor and deletion.
// Every main screen is checked by axe-core and saved as a screenshot (test-artifacts/screenshots).

const missing = chromiumMissing();
let server: TestServer;
let browser: Browser;
let bob: TestAccount;
let carol: Page;
let bobPage: Page;
const contexts: BrowserContext[] = [];
/** Uncaught errors in the app's pages: there must be none. */
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  // axe-core is injected as a script, which the app's CSP (rightly) forbids: checks run with bypassCSP.
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/** Runs axe-core on the screen as it is and saves its screenshot. */
async function check(page: Page, name: string): Promise<void> {
  assert.deepEqual(await seriousAccessibilityViolations(page), [], `axe-core on ${name}`);
  await page.screenshot({ path: screenshotPath(`app-${name}`), fullPage: false });
}

/** The newest mail written to the data folder (no SMTP server in tests), as text with its soft breaks undone. */
function latestMail(): string {
  const folder = join(server.config.dataDir, 'mail');
  const file = readdirSync(folder).sort().at(-1)!;
  return readFileSync(join(folder, file), 'utf8')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.url}/auth/sign_in`);
  await page.getByLabel('Email address or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
}

async function publish(page: Page, text: string, options: { image?: Buffer; alt?: string } = {}): Promise<void> {
  await page.getByRole('button', { name: 'New post' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('What is on your mind?').fill(text);
  if (options.image) {
    await dialog.locator('input[type=file]').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: options.image });
    await dialog.getByLabel(/alt text/).fill(options.alt ?? '');
    await dialog.getByText('Uploaded').waitFor();
  }
  await dialog.getByRole('button', { name: 'Publish' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: 'Your post is published' })
    .waitFor()
    .catch(async (error: unknown) => {
      await page.screenshot({ path: screenshotPath('app-publish-failed') });
      throw error;
    });
}

const post = (page: Page, text: string) => page.getByRole('article').filter({ hasText: text }).first();

before(async () => {
  if (missing) return;
  server = await startFederatedServer('127.0.0.9', [], { STOA_REGISTRATION: 'open', STOA_POW_BITS: '8' });
  [bob] = (await createTestAccounts(server, ['bob'])) as [TestAccount];
  await bob.client.v1.accounts.updateCredentials({ displayName: 'Bob Builder', discoverable: true });
  browser = await launchChromium();
});

after(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

describe('the web client in a browser', { skip: missing ?? false }, () => {
  it('signs a new member up, with the email confirmed through the development mailbox', async () => {
    carol = await newPage();
    await carol.goto(`${server.url}/auth/sign_up`);
    await carol.getByLabel('Username').fill('carol');
    await carol.getByLabel('Email address').fill('carol@example.org');
    await carol.getByLabel('Password').fill('carol has a long passphrase');
    await carol.getByRole('checkbox').first().check();
    // The proof of work runs in the page; the button is enabled when it is done.
    await carol.getByRole('button', { name: 'Create account' }).click();
    await carol.getByRole('heading', { name: 'Check your email' }).waitFor();
    const link = /https?:\/\/\S+\/auth\/confirmation\?token=[\w-]+/.exec(latestMail())?.[0];
    assert.ok(link, 'the confirmation mail carries the link');
    await carol.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
    await carol.getByRole('heading', { name: 'Your email address is confirmed' }).waitFor();

    await signIn(carol, 'carol', 'carol has a long passphrase');
    await carol.getByText('Your home timeline is empty').waitFor();
    // The token lives in memory only: not in storage, and the data block is gone from the document.
    assert.equal(await carol.locator('#stoa-state').count(), 0);
    const stored = JSON.stringify((await carol.context().storageState()).origins);
    assert.match(stored, /stoa\.prefs|\[\]/);
    assert.doesNotMatch(stored, /[\w-]{54}/);
    await check(carol, 'home-empty');
  });

  it("follows a second member found by search, and each sees the other's posts at home", async () => {
    await carol.getByRole('link', { name: 'Search' }).click();
    await carol.getByLabel(/Search for people/).fill('bob');
    await carol.getByRole('button', { name: 'Search', exact: true }).click();
    await carol.getByRole('link', { name: /Bob Builder/ }).click();
    await carol.getByRole('heading', { level: 1, name: 'Bob Builder' }).waitFor();
    await carol.getByRole('button', { name: 'Follow', exact: true }).click();
    await carol.getByRole('button', { name: 'Unfollow' }).waitFor();
    await check(carol, 'profile');

    bobPage = await newPage();
    await signIn(bobPage, 'bob', 'bob uses a long password');
    const carolId = (await bob.client.v1.accounts.lookup({ acct: 'carol' })).id;
    await bob.client.v1.accounts.$select(carolId).follow();

    const jpeg = await sharp({ create: { width: 640, height: 400, channels: 3, background: { r: 90, g: 110, b: 130 } } })
      .jpeg()
      .toBuffer();
    await carol.getByRole('link', { name: 'Home' }).click();
    await publish(carol, 'Heron spotted at the lake #birds', { image: jpeg, alt: 'A grey heron standing in reeds' });
    const mine = post(carol, 'Heron spotted at the lake');
    await mine.waitFor();
    assert.equal(await mine.locator('img[alt="A grey heron standing in reeds"]').count(), 1);
    await publish(bobPage, 'Evening walk by the river');

    await bobPage.reload();
    await post(bobPage, 'Heron spotted at the lake').waitFor();
    await carol.reload();
    await post(carol, 'Evening walk by the river').waitFor();
    await check(carol, 'home');
  });

  it('answers and likes across the two members, and the notification arrives', async () => {
    const heron = post(bobPage, 'Heron spotted at the lake');
    await heron.getByRole('button', { name: 'Reply' }).click();
    const dialog = bobPage.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Reply to @carol' }).waitFor();
    assert.equal(await dialog.getByLabel('What is on your mind?').inputValue(), '@carol ');
    await dialog.getByLabel('What is on your mind?').pressSequentially('What a lovely heron!');
    await check(bobPage, 'compose-reply');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await bobPage.getByRole('status').filter({ hasText: 'Your post is published' }).waitFor();
    await heron.getByRole('button', { name: 'Like' }).click();
    await until(
      'the like is shown',
      async () => (await heron.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed')) === 'true',
    );

    await carol.getByRole('link', { name: 'Notifications' }).click();
    await carol.getByText('Bob Builder liked your post').waitFor();
    await carol.getByText('Bob Builder mentioned you').waitFor();
    await check(carol, 'notifications');
    await carol.getByRole('button', { name: 'Likes' }).click();
    await carol.getByText('Bob Builder liked your post').waitFor();
    assert.equal(await carol.getByText('Bob Builder mentioned you').count(), 0);

    // The thread shows the post and the answer.
    await carol.goto(`${server.url}/`);
    await post(carol, 'Heron spotted at the lake')
      .getByRole('link', { name: /ago|now|sec|min/ })
      .first()
      .click();
    await carol.getByRole('heading', { level: 1, name: 'Post' }).waitFor();
    await carol.getByText('What a lovely heron!').waitFor();
    await check(carol, 'thread');
  });

  it('finds a post by a word in it', async () => {
    await carol.goto(`${server.url}/web/search?q=river`);
    const results = carol.getByRole('region', { name: 'Posts' });
    await results.getByText('Evening walk by the river').waitFor();
    await check(carol, 'search');
  });

  it('switches the language to German and French, and lays out right to left', async () => {
    await carol.goto(`${server.url}/web/settings/preferences`);
    await carol.getByLabel('Language').selectOption('de');
    await carol.getByRole('link', { name: 'Startseite' }).waitFor();
    assert.equal(await carol.locator('html').getAttribute('lang'), 'de');
    await carol.getByRole('heading', { level: 1, name: 'Einstellungen' }).waitFor();
    await check(carol, 'settings-de');
    await carol.getByRole('link', { name: 'Startseite' }).click();
    await post(carol, 'Heron spotted').getByRole('button', { name: 'Gefällt mir' }).waitFor();

    await carol.goto(`${server.url}/web/settings/preferences`);
    await carol.getByLabel('Sprache').selectOption('fr');
    await carol.getByRole('link', { name: 'Accueil' }).waitFor();
    assert.equal(await carol.locator('html').getAttribute('lang'), 'fr');
    // The choice holds after a reload.
    await carol.reload();
    await carol.getByRole('heading', { level: 1, name: 'Paramètres' }).waitFor();
    await check(carol, 'settings-fr');

    // Right to left: the same layout mirrored (navigation on the right of the content).
    await carol.locator('html').evaluate((root: { setAttribute(name: string, value: string): void }) => root.setAttribute('dir', 'rtl'));
    const nav = await carol.getByRole('navigation', { name: 'Navigation principale' }).boundingBox();
    const main = await carol.getByRole('main').boundingBox();
    assert.ok(nav && main && nav.x > main.x, 'in rtl the navigation stands right of the content');
    await carol.screenshot({ path: screenshotPath('app-rtl') });
    // The server's own pages (security settings, sign-in) follow the choice made in the app.
    await carol.goto(`${server.url}/settings/security`);
    await carol.getByRole('heading', { level: 1, name: 'Sécurité' }).waitFor();
    assert.equal(await carol.locator('html').getAttribute('lang'), 'fr');
    await carol.goto(`${server.url}/web/settings/preferences`);
    await carol.getByLabel('Langue').selectOption('en');
    await carol.getByRole('link', { name: 'Home' }).waitFor();
  });

  it('turns on two-factor authentication from the account settings', async () => {
    await carol.goto(`${server.url}/web/settings/account`);
    await check(carol, 'settings-account');
    await carol.getByRole('link', { name: /Two-factor authentication/ }).click();
    await carol.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await carol.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await carol.locator('[data-totp-secret]').textContent())!;
    await carol.getByLabel('Code shown by the app').fill(totpCode(secret, Date.now()));
    await carol.getByRole('button', { name: 'Turn on' }).click();
    await carol.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
  });

  it('deletes a post, which then exists nowhere', async () => {
    await carol.goto(`${server.url}/`);
    await publish(carol, 'A post with a typpo');
    const typo = post(carol, 'A post with a typpo');
    await typo.waitFor();
    const id = (await typo
      .getByRole('link', { name: /ago|now|sec|min/ })
      .first()
      .getAttribute('href'))!
      .split('/')
      .pop()!;
    await typo.getByLabel('More').click();
    carol.once('dialog', (d) => void d.accept());
    await typo.getByRole('button', { name: 'Delete', exact: true }).click();
    await carol.getByRole('status').filter({ hasText: 'Post deleted' }).waitFor();
    assert.equal(await carol.getByText('A post with a typpo').count(), 0);
    assert.equal((await fetch(`${server.url}/api/v1/statuses/${id}`, { headers: { authorization: `Bearer ${bob.token}` } })).status, 404);
  });

  it('has no serious accessibility violations on the other screens', async () => {
    const screens: [string, string, string][] = [
      ['local', '/web/local', 'Local'],
      ['federated', '/web/federated', 'Federated'],
      ['bookmarks', '/web/bookmarks', 'Bookmarks'],
      ['favourites', '/web/favourites', 'Favourites'],
      ['explore', '/web/explore', 'Explore'],
      ['lists', '/web/lists', 'Lists'],
      ['tag', '/web/tags/birds', '#birds'],
      ['settings-profile', '/web/settings/profile', 'Settings'],
      ['settings-preferences', '/web/settings/preferences', 'Settings'],
      ['follow-requests', '/web/follow_requests', 'Follow requests'],
      ['following', `/web/accounts/${bob.id}/following`, 'Bob Builder'],
      ['followers', `/web/accounts/${bob.id}/followers`, 'Bob Builder'],
      ['profile-media', `/web/accounts/${bob.id}/media`, 'Bob Builder'],
      ['not-found', '/web/nowhere', 'Not found'],
    ];
    for (const [name, path, heading] of screens) {
      await carol.goto(`${server.url}${path}`);
      await carol.getByRole('heading', { level: 1, name: heading }).waitFor();
      await carol.locator('.loading').waitFor({ state: 'detached' });
      await check(carol, name);
    }
    await carol.goto(`${server.url}/`);
    await carol.getByRole('button', { name: 'New post' }).click();
    await check(carol, 'compose');
    assert.deepEqual(pageErrors, []);
  });
});
