import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../../domain/accounts/accounts.service.ts';
import { systemClock } from '../../lib/clock.ts';
import { clientCredentialsToken, createTestAccounts } from '../../testing/accounts.ts';
import { apiProofOfWork, solveProofOfWork } from '../../testing/proof-of-work.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { rows, setColumns } from '../../testing/rows.ts';

let server: TestServer;
let appToken: string;

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function register(fields: Record<string, string>, ip = '198.51.100.1') {
  return fetch(`${server.url}/api/v1/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ agreement: true, locale: 'en', ...(await apiProofOfWork(server.url)), ...fields }),
  }).then(json);
}

/** The newest mail written to the data folder for an address. */
function lastMailTo(address: string): string {
  const dir = join(server.config.dataDir, 'mail');
  const files = readdirSync(dir).sort().reverse();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (text.includes(`To: ${address}`)) return text.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  }
  assert.fail(`no mail to ${address}`);
}

before(async () => {
  server = await startTestServer({ STOA_TRUSTED_PROXIES: '127.0.0.1' });
  await createLocalAccount(server.app.db, systemClock, server.config, {
    username: 'taken',
    email: 'taken@example.org',
    password: 'a long enough secret',
    confirmed: true,
  });
  const masto = createRestAPIClient({ url: server.url });
  const app = await masto.v1.apps.create({ clientName: 'Signup', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' });
  appToken = await clientCredentialsToken(server.url, app, 'read write');
});
after(() => server.close());

describe('POST /api/v1/accounts', () => {
  it('registers, mails a confirmation link, and the token works once the address is confirmed', async () => {
    const res = await register({ username: 'newbie', email: 'newbie@example.org', password: 'purple monkey dishwasher' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    const me = () =>
      fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${res.body.access_token}` } }).then(
        json,
      );
    const before = await me();
    assert.equal(before.status, 403);
    assert.equal(before.body.error, 'Your login is missing a confirmed e-mail address');

    const mail = lastMailTo('newbie@example.org');
    const link = /http:\/\/stoa\.test(\/auth\/confirmation\?token=[\w-]+)/.exec(mail)?.[1];
    assert.ok(link, mail);
    const confirmed = await fetch(`${server.url}${link}`);
    assert.equal(confirmed.status, 200);
    const after = await me();
    assert.equal(after.status, 200);
    assert.equal(after.body.username, 'newbie');
    assert.equal((await fetch(`${server.url}${link}`)).status, 400, 'a confirmation link works once');
  });

  it('answers a known email exactly as an unknown one, and mails the owner instead', async () => {
    const known = await register(
      { username: 'someone1', email: 'TAKEN@example.org', password: 'purple monkey dishwasher' },
      '198.51.100.2',
    );
    const unknown = await register(
      { username: 'someone2', email: 'fresh@example.org', password: 'purple monkey dishwasher' },
      '198.51.100.3',
    );
    assert.equal(known.status, unknown.status);
    const shape = (body: Record<string, any>) => ({
      ...body,
      access_token: /^[\w-]{54}$/.test(body.access_token as string),
      refresh_token: /^[\w-]{54}$/.test(body.refresh_token as string),
      created_at: typeof body.created_at,
    });
    assert.deepEqual(shape(known.body), shape(unknown.body));
    // Used before confirmation, both tokens get the same refusal.
    const use = (token: string) =>
      fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } }).then(json);
    assert.deepEqual(await use(known.body.access_token as string), await use(unknown.body.access_token as string));
    assert.match(lastMailTo('taken@example.org'), /already has an account/);
    assert.deepEqual(await rows(server.app.db, 'accounts', { username: 'someone1' }), [], 'no account was made for the known address');
  });

  it('costs the same proof of work as the sign-up form, through raw HTTP and a client library', async () => {
    const raw = (body: Record<string, unknown>) =>
      fetch(`${server.url}/api/v1/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.5' },
        body: JSON.stringify({
          username: 'worker1',
          email: 'worker1@example.org',
          password: 'purple monkey dishwasher',
          agreement: true,
          ...body,
        }),
      }).then(json);
    const unpaid = await raw({});
    assert.equal(unpaid.status, 422);
    assert.match(unpaid.body.details.pow_nonce[0].description as string, /GET \/api\/v1\/accounts\/challenge/);
    const challenge = (await (await fetch(`${server.url}/api/v1/accounts/challenge`)).json()) as { challenge: string; bits: number };
    assert.equal(challenge.bits, 4);
    assert.equal((await raw({ pow_challenge: challenge.challenge, pow_nonce: 'x' })).status, 422, 'a nonce that is not one');
    const paid = await raw({ pow_challenge: challenge.challenge, pow_nonce: solveProofOfWork(challenge.challenge, challenge.bits) });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    const again = await raw({
      username: 'worker2',
      email: 'worker2@example.org',
      pow_challenge: challenge.challenge,
      pow_nonce: solveProofOfWork(challenge.challenge, challenge.bits),
    });
    assert.equal(again.status, 422, 'a challenge pays for one sign-up');
    // masto sends what it is given: an app that solves the challenge signs up through it.
    const masto = createRestAPIClient({ url: server.url, accessToken: appToken });
    const token = await masto.v1.accounts.create({
      username: 'worker3',
      email: 'worker3@example.org',
      password: 'purple monkey dishwasher',
      agreement: true,
      locale: 'en',
      ...(await apiProofOfWork(server.url)),
    });
    assert.equal(token.tokenType, 'Bearer');
    await assert.rejects(
      masto.v1.accounts.create({
        username: 'worker4',
        email: 'worker4@example.org',
        password: 'purple monkey dishwasher',
        agreement: true,
        locale: 'en',
      }),
      (e: any) => e.statusCode === 422,
    );
  });

  it('refuses bad usernames, common passwords and missing agreement, naming each field', async () => {
    const res = await register(
      { username: 'admin', email: 'not-an-email', password: 'password123', agreement: false as unknown as string },
      '198.51.100.4',
    );
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.body.details as object).sort(), ['agreement', 'email', 'password', 'username']);
    assert.equal(res.body.details.username[0].error, 'ERR_RESERVED');
    assert.match(res.body.error as string, /^Validation failed/);
    const taken = await register({ username: 'TAKEN', email: 'x@example.org', password: 'purple monkey dishwasher' }, '198.51.100.4');
    assert.equal(taken.body.details.username[0].error, 'ERR_TAKEN');
    const short = await register({ username: 'shorty', email: 'shorty@example.org', password: 'abc' }, '198.51.100.4');
    assert.equal(short.body.details.password[0].error, 'ERR_TOO_SHORT');
  });

  it('limits sign-ups per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await register({ username: `burst${i}`, email: `burst${i}@example.org`, password: 'purple monkey dishwasher' }, '198.51.100.9'))
          .status,
      );
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.equal(statuses[5], 429);
  });

  it('requires an app token with write:accounts', async () => {
    const res = await fetch(`${server.url}/api/v1/accounts`, { method: 'POST', body: new URLSearchParams({ username: 'x' }) });
    assert.equal(res.status, 401);
  });
});

describe('accounts', () => {
  it('looks up and shows public profiles without private fields', async () => {
    const masto = createRestAPIClient({ url: server.url });
    const found = await masto.v1.accounts.lookup({ acct: 'taken' });
    assert.equal(found.username, 'taken');
    const shown = await masto.v1.accounts.$select(found.id).fetch();
    assert.equal(shown.id, found.id);
    const raw = (await (await fetch(`${server.url}/api/v1/accounts/${found.id}`)).text()).toLowerCase();
    for (const secret of ['email', 'taken@example.org', 'role', 'password', 'confirmed', 'sign_in', '"ip"'])
      assert.ok(!raw.includes(secret), `public JSON must not contain ${secret}`);
    assert.equal((await fetch(`${server.url}/api/v1/accounts/lookup?acct=nobody`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/v1/accounts/0190f0b2-1c2d-7e5f-8a6b-7c8d9e0f1a2b`)).status, 404);
  });

  it('updates the profile of the signed-in account', async () => {
    const res = await register({ username: 'editor', email: 'editor@example.org', password: 'purple monkey dishwasher' }, '198.51.100.20');
    await setColumns(server.app.db, 'users', { email: 'editor@example.org' }, { confirmed_at: new Date().toISOString() });
    const masto = createRestAPIClient({ url: server.url, accessToken: res.body.access_token as string });
    const updated = await masto.v1.accounts.updateCredentials({
      displayName: 'The <Editor>',
      note: 'Line one\nLine two',
      locked: true,
      fieldsAttributes: [{ name: 'Web', value: 'https://example.org' }],
      source: { privacy: 'unlisted', language: 'de' },
    });
    assert.equal(updated.displayName, 'The <Editor>');
    assert.equal(updated.note, '<p>Line one<br>Line two</p>');
    assert.equal(updated.locked, true);
    assert.deepEqual(
      updated.fields.map((f) => f.name),
      ['Web'],
    );
    assert.equal(updated.source.privacy, 'unlisted');
    assert.equal(updated.source.language, 'de');
    await assert.rejects(
      masto.v1.accounts.updateCredentials({ fieldsAttributes: Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, value: 'v' })) }),
      (e: any) => e.statusCode === 422,
    );
    // masto sends a field left `undefined` as the string "undefined"; Mastodon ignores it where it wants a
    // list, and so does Stoa: the fields stay as they were.
    const untouched = await masto.v1.accounts.updateCredentials({ fieldsAttributes: undefined });
    assert.deepEqual(
      untouched.fields.map((f) => f.name),
      ['Web'],
    );
    const relationships = await masto.v1.accounts.relationships.fetch({ id: [updated.id] });
    assert.equal(relationships[0]!.following, false);

    // The locked account's own credentials count who waits for an answer.
    const [asker, other] = await createTestAccounts(server, ['asker', 'other']);
    await asker!.client.v1.accounts.$select(updated.id).follow();
    await other!.client.v1.accounts.$select(updated.id).follow();
    assert.equal((await masto.v1.accounts.verifyCredentials()).source.followRequestsCount, 2);
    await masto.v1.followRequests.$select(asker!.id).authorize();
    assert.equal((await masto.v1.accounts.verifyCredentials()).source.followRequestsCount, 1);
  });
});
