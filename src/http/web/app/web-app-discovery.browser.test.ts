import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { OPERATOR } from '../../../domain/moderation/staff.ts';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { chromiumMissing, launchChromium } from '../../../testing/chromium.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';

// The web client's polls (voting, results), custom emoji drawn in posts and names, link preview cards,
// and the Explore screen of trending hashtags, posts and links.

const missing = chromiumMissing();
let server: TestServer;
let browser: Browser;
let fay: TestAccount;
let gus: TestAccount;
let hal: TestAccount;
let page: Page;

before(async () => {
  if (missing) return;
  server = await startFederatedServer('127.0.0.11', [], { STOA_LINK_PREVIEWS: 'false' });
  [fay, gus, hal] = (await createTestAccounts(server, ['fay', 'gus', 'hal'])) as [TestAccount, TestAccount, TestAccount];
  await fay.client.v1.accounts.$select(gus.id).follow();
  const { commands, media } = server.app.services;
  const png = await sharp({ create: { width: 48, height: 48, channels: 4, background: { r: 240, g: 180, b: 20, alpha: 0.9 } } })
    .png()
    .toBuffer();
  await commands.emojis.add(media, { shortcode: 'sunflower', image: png });
  browser = await launchChromium();
  const context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  await page.goto(`${server.url}/auth/sign_in`);
  await page.getByLabel('Email address or username').fill('fay');
  await page.getByLabel('Password').fill('fay uses a long password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('the web client: polls, emoji, cards and explore', { skip: missing ?? false }, () => {
  it('votes in a poll and shows the results', async () => {
    const post = await gus.client.v1.statuses.create({ status: 'Tea or coffee?', poll: { options: ['tea', 'coffee'], expiresIn: 3600 } });
    await page.reload();
    const poll = page.getByRole('form', { name: 'Poll' });
    await poll.getByLabel('coffee').check();
    await poll.getByRole('button', { name: 'Vote' }).click();
    const results = page.getByRole('group', { name: 'Poll' });
    await results.getByText('100%').waitFor();
    assert.match((await results.textContent()) ?? '', /1 person voted/);
    const [, coffee] = (await gus.client.v1.polls.$select(post.poll!.id).fetch()).options;
    assert.equal(coffee!.votesCount, 1, 'the vote reached the server');
  });

  it('draws custom emoji and shows a link card', async () => {
    await gus.client.v1.accounts.updateCredentials({ displayName: 'Gus :sunflower:' });
    const post = await gus.client.v1.statuses.create({ status: 'sunny :sunflower: https://news.example/garden' });
    await server.app.services.commands.cards.attach(post.id, 'https://news.example/garden', {
      type: 'link',
      title: 'Garden news',
      description: 'Sunflowers everywhere',
      authorName: '',
      authorUrl: '',
      providerName: 'News Example',
      providerUrl: '',
      language: null,
      publishedAt: null,
      image: null,
    });
    await page.reload();
    const article = page.getByRole('article').filter({ hasText: 'sunny' });
    const emoji = article.locator('.status-content img.custom-emoji');
    await emoji.waitFor();
    assert.equal(await emoji.getAttribute('alt'), ':sunflower:');
    assert.equal(await article.locator('.display-name img.custom-emoji').count(), 1, 'in the name too');
    const card = article.getByRole('link', { name: /Garden news/ });
    assert.equal(await card.getAttribute('href'), 'https://news.example/garden');
    assert.match((await card.textContent()) ?? '', /News Example.*Sunflowers everywhere/);
  });

  it('explores what trends', async () => {
    for (const who of [gus, hal]) await who.client.v1.statuses.create({ status: `#compost matters, says ${who.username}` });
    const tagId = (await server.app.db.read.selectFrom('tags').select('id').where('name', '=', 'compost').executeTakeFirstOrThrow()).id;
    await server.app.services.commands.trends.review(OPERATOR, 'tag', tagId, true);
    await hal.client.v1.accounts.updateCredentials({ discoverable: true });
    const popular = await hal.client.v1.statuses.create({ status: 'a thought everyone likes' });
    await gus.client.v1.statuses.$select(popular.id).favourite();

    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('heading', { level: 1, name: 'Explore' }).waitFor();
    const tags = page.getByRole('region', { name: 'Trending hashtags' });
    await tags.getByRole('link', { name: '#compost' }).waitFor();
    assert.match((await tags.textContent()) ?? '', /2 people in the last two days/);
    await page.getByRole('region', { name: 'Trending posts' }).getByText('a thought everyone likes').waitFor();
    assert.match((await page.getByRole('region', { name: 'Trending links' }).textContent()) ?? '', /No link is trending/);
    await tags.getByRole('link', { name: '#compost' }).click();
    await page.getByRole('heading', { level: 1, name: /compost/ }).waitFor();
  });
});

describe('the web client: lists', { skip: missing ?? false }, () => {
  it('makes a list, adds someone followed, reads its timeline and removes them', async () => {
    await page.goto(`${server.url}/web/lists`);
    await page.getByRole('heading', { level: 1, name: 'Lists' }).waitFor();
    await page.getByLabel('Title of the new list').fill('Garden club');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Garden club' }).click();
    await page.getByRole('heading', { level: 1, name: 'Garden club' }).waitFor();
    await page.getByText('Nobody is in this list yet.').waitFor();
    await page.getByLabel('Add someone you follow').fill('gus');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Add' }).click();
    const members = page.getByRole('region', { name: 'People in this list' });
    await members.getByRole('button', { name: 'Remove' }).waitFor();
    const [list] = await fay.client.v1.lists.list();
    assert.deepEqual(
      (await fay.client.v1.lists.$select(list!.id).accounts.list()).map((a) => a.username),
      ['gus'],
    );
    await page.getByRole('region', { name: 'Garden club' }).getByText('Tea or coffee?').waitFor();
    await members.getByRole('button', { name: 'Remove' }).click();
    await members.getByText('Nobody is in this list yet.').waitFor();
    assert.deepEqual(await fay.client.v1.lists.$select(list!.id).accounts.list(), []);
    await page.goto(`${server.url}/web/lists`);
    await page.getByRole('button', { name: 'Delete Garden club' }).click();
    await page.getByText('You have no lists yet.', { exact: false }).waitFor();
  });
});
