import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TestBrowser } from '../../../testing/browser.ts';
import { solveProofOfWork } from '../../../testing/proof-of-work.ts';
import { startTestServer, type TestServer } from '../../../testing/test-app.ts';
import { insertRow, row, rows } from '../../../testing/rows.ts';

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function serverWith(env: Record<string, string>) {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

async function signUp(browser: TestBrowser, fields: Record<string, string>, options: { solve?: boolean } = {}) {
  const page = await browser.page('/auth/sign_up');
  const challenge = /name="pow_challenge" value="([^"]+)"/.exec(page.html)![1]!;
  const bits = Number(/data-pow-bits="(\d+)"/.exec(page.html)![1]);
  return browser.post('/auth/sign_up', {
    _csrf: page.csrf,
    pow_challenge: challenge,
    pow_nonce: options.solve === false ? '0' : solveProofOfWork(challenge, bits),
    agreement: '1',
    ...fields,
  });
}

describe('the sign-up form', () => {
  it('needs the proof of work, then creates an account that waits for approval', async () => {
    const server = await serverWith({ STOA_REGISTRATION: 'approval', STOA_POW_BITS: '12' });
    const browser = new TestBrowser(server.url);
    const unsolved = await signUp(
      browser,
      { username: 'lazybot', email: 'bot@example.org', password: 'purple monkey dishwasher', reason: 'hi' },
      { solve: false },
    );
    assert.equal(unsolved.status, 400);
    assert.match(await unsolved.text(), /anti-bot check/);

    const noReason = await signUp(browser, { username: 'applicant', email: 'applicant@example.org', password: 'purple monkey dishwasher' });
    assert.equal(noReason.status, 422);
    assert.match(await noReason.text(), /why you want to join/);

    const ok = await signUp(browser, {
      username: 'applicant',
      email: 'applicant@example.org',
      password: 'purple monkey dishwasher',
      reason: 'I live here',
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Check your email/);
    const user = await row(server.app.db, 'users', { email: 'applicant@example.org' });
    assert.equal(user?.approved_at, null);
    assert.equal(user?.registration_reason, 'I live here');
  });

  it('is closed when registrations are closed, and needs an invitation in invite mode', async () => {
    const closed = await serverWith({ STOA_REGISTRATION: 'closed' });
    assert.equal((await new TestBrowser(closed.url).get('/auth/sign_up')).status, 403);

    const invite = await serverWith({ STOA_REGISTRATION: 'invite' });
    const browser = new TestBrowser(invite.url);
    const without = await signUp(browser, { username: 'guest', email: 'guest@example.org', password: 'purple monkey dishwasher' });
    assert.equal(without.status, 422);
    await insertRow(invite.app.db, 'invites', { id: 'invite-1', code: 'WELCOME42', max_uses: 1, created_at: new Date().toISOString() });
    const withCode = await signUp(browser, {
      username: 'guest',
      email: 'guest@example.org',
      password: 'purple monkey dishwasher',
      invite_code: 'WELCOME42',
    });
    assert.equal(withCode.status, 200);
    const again = await signUp(browser, {
      username: 'guest2',
      email: 'guest2@example.org',
      password: 'purple monkey dishwasher',
      invite_code: 'WELCOME42',
    });
    assert.equal(again.status, 422, 'a one-use invitation is used up');
  });

  it('fails closed when the confirmation mail cannot be sent', async () => {
    const server = await serverWith({ SMTP_URL: 'smtp://127.0.0.1:9', STOA_POW_BITS: '0' });
    const res = await signUp(new TestBrowser(server.url), {
      username: 'unlucky',
      email: 'unlucky@example.org',
      password: 'purple monkey dishwasher',
    });
    assert.equal(res.status, 503);
    assert.deepEqual(await rows(server.app.db, 'accounts', { username: 'unlucky' }), [], 'no account without its confirmation mail');
  });
});
