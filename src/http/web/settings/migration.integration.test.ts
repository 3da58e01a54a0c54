import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { TestBrowser } from '../../../testing/browser.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';
import { until } from '../../../testing/until.ts';

// Moving an account between servers from the settings pages, as Mastodon's settings offer it: the new
// account (on B) names the old one (on A), then the old one moves; its followers follow along.

let a: TestServer;
let b: TestServer;
let ada: TestAccount; // on A, moves away
let cy: TestAccount; // on A, follows ada
let onA: TestBrowser;
let onB: TestBrowser;

before(async () => {
  a = await startFederatedServer('127.0.0.7', ['127.0.0.8'], { STOA_LOG_LEVEL: 'warn' });
  b = await startFederatedServer('127.0.0.8', ['127.0.0.7'], { STOA_LOG_LEVEL: 'warn' });
  [ada, cy] = (await createTestAccounts(a, ['ada', 'cy'])) as [TestAccount, TestAccount];
  await createTestAccounts(b, ['bo']);
  await cy.client.v1.accounts.$select(ada.id).follow();
  onA = new TestBrowser(a.url);
  assert.equal((await onA.signIn('ada', 'ada uses a long password')).status, 303);
  onB = new TestBrowser(b.url);
  assert.equal((await onB.signIn('bo', 'bo uses a long password')).status, 303);
});
after(async () => {
  await b?.close();
  await a?.close();
});

async function submit(browser: TestBrowser, action: string, fields: Record<string, string>) {
  const { csrf } = await browser.page('/settings/migration');
  const res = await browser.post(action, { _csrf: csrf, ...fields });
  const html = await res.text();
  return { status: res.status, html, message: /class="(?:error|info)" role="\w+"[^>]*>([^<]*)</.exec(html)?.[1] };
}

describe('moving an account from the settings pages', () => {
  it('names the old account on the new server, then moves the old one there; its followers follow along', async () => {
    const page = await onB.page('/settings/migration');
    assert.equal(page.status, 200);
    assert.match(page.html, /No other account is named yet/);
    const unknown = await submit(onB, '/settings/migration/aliases', { acct: `nobody@${a.config.domain}` });
    assert.equal(unknown.status, 422);
    assert.match(unknown.message ?? '', /No such account/);
    const named = await submit(onB, '/settings/migration/aliases', { acct: `@ada@${a.config.domain}` });
    assert.equal(named.status, 200, named.message);
    assert.match(named.html, new RegExp(`data-alias="${a.url}/users/ada"`));

    const wrong = await submit(onA, '/settings/migration/move', { acct: `bo@${b.config.domain}`, password: 'not the password' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.message ?? '', /password or code is not correct/);
    const notNamed = await submit(onA, '/settings/migration/move', { acct: `cy`, password: 'ada uses a long password' });
    assert.equal(notNamed.status, 422, 'an account that does not name ada cannot be moved to');
    const moved = await submit(onA, '/settings/migration/move', { acct: `bo@${b.config.domain}`, password: 'ada uses a long password' });
    assert.equal(moved.status, 200, moved.message);
    assert.match(moved.message ?? '', /This account has moved; 1 of its followers here already follow the new one/);
    assert.match((await onA.page('/settings/migration')).html, new RegExp(`data-moved-to="${b.url}/users/bo"`));
    // The same move as the API's: its follower here follows bo now, and sees where ada went.
    await until('cy follows bo', async () =>
      (await cy.client.v1.accounts.$select(cy.id).following.list()).some((x) => x.acct === `bo@${b.config.domain}`),
    );
    const adaSeenByCy = await cy.client.v1.accounts.$select(ada.id).fetch();
    assert.equal(adaSeenByCy.moved?.acct, `bo@${b.config.domain}`);
  });

  it('removes a named account, and refuses a form sent without its token', async () => {
    const removed = await submit(onB, '/settings/migration/aliases/remove', { uri: `${a.url}/users/ada` });
    assert.equal(removed.status, 200);
    assert.match(removed.html, /No other account is named yet/);
    const forged = await onB.post('/settings/migration/aliases', { acct: `ada@${a.config.domain}` });
    assert.equal(forged.status, 403);
    assert.match((await onB.page('/settings/migration')).html, /No other account is named yet/);
  });
});
