import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findAccountById } from '../../../domain/accounts/accounts.repo.ts';
import { setRole } from '../../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../../lib/clock.ts';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { chromiumMissing, launchChromium, screenshotPath, seriousAccessibilityViolations } from '../../../testing/chromium.ts';
import { rows } from '../../../testing/rows.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';

// The moderators' pages and the member's strikes page in a real browser (Debian's chromium), used with the
// keyboard and checked by axe-core: a report handled from the queue, the strike seen and appealed by its
// member, the appeal approved, a server blocked, and the audit log that recorded all of it.

const missing = chromiumMissing();
let server: TestServer;
let browser: Browser;
let troll: TestAccount;
let mia: TestAccount;

before(async () => {
  if (missing) return;
  server = await startFederatedServer('127.0.0.20', []);
  const [chief] = (await createTestAccounts(server, ['chief'])) as [TestAccount];
  await setRole(server.app.db, systemClock, chief.id, 'admin');
  [troll, mia] = (await createTestAccounts(server, ['troll', 'mia'])) as [TestAccount, TestAccount];
  const post = await troll.client.v1.statuses.create({ status: 'everyone here is an idiot' });
  await mia.client.v1.reports.create({ accountId: troll.id, statusIds: [post.id], comment: 'insults everyone', category: 'other' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/auth/sign_in?return_to=%2Fsettings%2Fsecurity`);
  await page.getByLabel('Email address or username').fill(username);
  await page.getByLabel('Password').fill(`${username} uses a long password`);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/settings\/security$/);
  return page;
}

async function accessible(page: Page, name: string): Promise<void> {
  assert.deepEqual(await seriousAccessibilityViolations(page), [], `axe-core on ${name}`);
  await page.screenshot({ path: screenshotPath(`moderation-${name}`), fullPage: true });
}

describe('moderation in a browser', { skip: missing ?? false }, () => {
  it('handles a report from the queue, and the member sees the strike and appeals it, with the keyboard', async () => {
    const chief = await signedIn('chief');
    await chief.goto(`${server.url}/admin/moderation/reports`);
    await chief.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    assert.ok(await chief.getByText('everyone here is an idiot').isVisible(), 'the reported post is shown in the queue');
    await accessible(chief, 'reports');
    const report = chief.locator('article.report').first();
    await report.getByLabel('Action').selectOption('silence');
    await report.getByLabel('Reason, shown to the member').fill('Insulting other members (rule 2).');
    await report.getByRole('button', { name: 'Take action' }).focus();
    await chief.keyboard.press('Enter');
    await chief.getByText('No open reports.').waitFor();
    assert.notEqual((await findAccountById(server.app.db.read, troll.id))!.silenced_at, null);

    const member = await signedIn('troll');
    await member.goto(`${server.url}/settings/strikes`);
    await member.getByRole('heading', { level: 2, name: 'Your account is limited' }).waitFor();
    assert.ok(await member.getByText('Reason given: Insulting other members (rule 2).').isVisible());
    await accessible(member, 'strikes');
    await member.getByLabel('Why this decision should be reconsidered').fill('It was a joke among friends.');
    await member.keyboard.press('Tab');
    await member.keyboard.press('Enter');
    await member.getByText('Your appeal was sent to the moderators.').waitFor();
    assert.ok(await member.getByText('You appealed: the moderators will decide.').isVisible());

    await chief.goto(`${server.url}/admin/moderation/appeals`);
    assert.ok(await chief.getByText('It was a joke among friends.').isVisible());
    await accessible(chief, 'appeals');
    await chief.getByRole('button', { name: 'Approve (undo the action)' }).click();
    await chief.getByText('No appeals are waiting.').waitFor();
    assert.equal((await findAccountById(server.app.db.read, troll.id))!.silenced_at, null, 'approved: the limit is lifted');
    await member.goto(`${server.url}/settings/strikes`);
    assert.ok(await member.getByText('Your appeal was approved and the action undone.').isVisible());
  });

  it('blocks a server and lists its own record, which verifies', async () => {
    const chief = await signedIn('chief');
    await chief.goto(`${server.url}/admin/moderation/domain-blocks`);
    await chief.getByLabel('Domain', { exact: true }).fill('spam.example');
    await chief.getByLabel('Public comment').fill('spam');
    await chief.getByRole('button', { name: 'Block', exact: true }).click();
    await chief.getByRole('cell', { name: 'spam.example', exact: true }).waitFor();
    await accessible(chief, 'domain-blocks');
    assert.equal((await rows(server.app.db, 'domain_blocks', { domain: 'spam.example' }))[0]?.severity, 'suspend');

    await chief.goto(`${server.url}/admin/moderation/accounts/${troll.id}`);
    assert.ok(await chief.getByText('in good standing').isVisible());
    await accessible(chief, 'account');
    await chief.goto(`${server.url}/admin/moderation/audit`);
    assert.ok(await chief.getByText(/The log verifies: \d+ entries/).isVisible());
    for (const action of ['silence', 'approve_appeal', 'block_domain'])
      assert.ok(await chief.getByRole('cell', { name: action, exact: true }).count());
    await accessible(chief, 'audit');
  });

  it('refuses the moderation pages to a member', async () => {
    const member = await signedIn('mia');
    const response = await member.goto(`${server.url}/admin/moderation/reports`);
    assert.equal(response?.status(), 403);
    assert.ok(await member.getByText('This action is not allowed').isVisible());
  });
});
