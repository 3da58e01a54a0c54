import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { rows } from '../../testing/rows.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// A parameter Stoa cannot honour is refused, never dropped; answers and parameters read as Mastodon's do.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;

before(async () => {
  server = await startTestServer();
  [ana, ben] = (await createTestAccounts(server, ['ana', 'ben'])) as [TestAccount, TestAccount];
});
after(() => server.close());

const call = (method: string, path: string, token: string, body?: Record<string, unknown>) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

describe('what a post cannot have yet', () => {
  it('refuses allowed_mentions with 422 naming it, and publishes nothing', async () => {
    const before = (await rows(server.app.db, 'statuses', { account_id: ana.id })).length;
    const res = await call('POST', '/api/v1/statuses', ana.token, { status: 'with allowed_mentions', allowed_mentions: ['someone'] });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { details: Record<string, unknown> };
    assert.ok(body.details.allowed_mentions, `allowed_mentions is named: ${JSON.stringify(body)}`);
    assert.equal((await rows(server.app.db, 'statuses', { account_id: ana.id })).length, before, 'nothing was published');
    // Empty values, as some apps send them, are no values.
    assert.equal((await call('POST', '/api/v1/statuses', ana.token, { status: 'plain', poll: null, scheduled_at: '' })).status, 200);
  });
});

describe('answers as Mastodon gives them', () => {
  it('says reblogged: true in the answer to a repost', async () => {
    const post = await ben.client.v1.statuses.create({ status: 'worth sharing' });
    const res = await call('POST', `/api/v1/statuses/${post.id}/reblog`, ana.token);
    assert.equal(res.status, 200);
    const wrapper = (await res.json()) as { reblogged: boolean; reblog: { reblogged: boolean } };
    assert.equal(wrapper.reblogged, true);
    assert.equal(wrapper.reblog.reblogged, true);
    const other = await ben.client.v1.statuses.create({ status: 'also worth it' });
    assert.equal((await ana.client.v1.statuses.$select(other.id).reblog()).reblogged, true);
  });

  it('reads booleans as Mastodon does: 0, f, false and off in any case are false, others true', async () => {
    for (const value of ['False', 'f', 'OFF', '0', 'true', 'T', '1', 'yes']) {
      const res = await call('GET', `/api/v2/search?q=worth&type=statuses&resolve=${value}`, ana.token);
      assert.equal(res.status, 200, `resolve=${value}`);
    }
    const onlyMedia = await fetch(`${server.url}/api/v1/timelines/public?only_media=False`);
    assert.equal(onlyMedia.status, 200);
    assert.ok(((await onlyMedia.json()) as unknown[]).length > 0, 'only_media=False is false: posts without media are listed');
  });
});

describe('the Instance entity', () => {
  it('tells apps who may sign up, in every registration mode, through raw HTTP and masto', async () => {
    const expected = {
      open: { enabled: true, approval_required: false, v1: true, invites: false },
      approval: { enabled: true, approval_required: true, v1: true, invites: true },
      invite: { enabled: false, approval_required: false, v1: false, invites: true },
      closed: { enabled: false, approval_required: false, v1: false, invites: false },
    };
    for (const [mode, want] of Object.entries(expected)) {
      const other = await startTestServer({ STOA_REGISTRATION: mode });
      try {
        const v2 = (await (await fetch(`${other.url}/api/v2/instance`)).json()) as { registrations: Record<string, unknown> };
        assert.equal(v2.registrations.enabled, want.enabled, mode);
        assert.equal(v2.registrations.approval_required, want.approval_required, mode);
        assert.equal(v2.registrations.url, want.enabled ? 'http://stoa.test/auth/sign_up' : null, mode);
        const v1 = (await (await fetch(`${other.url}/api/v1/instance`)).json()) as Record<string, unknown>;
        assert.equal(v1.registrations, want.v1, mode);
        assert.equal(v1.invites_enabled, want.invites, mode);
        const parsed = await createRestAPIClient({ url: other.url }).v2.instance.fetch();
        assert.equal(parsed.registrations.enabled, want.enabled, `${mode} through masto`);
        assert.equal(parsed.apiVersions?.mastodon, 2, 'version 2: grouped notifications are served');
      } finally {
        await other.close();
      }
    }
  });
});

describe('accounts and preferences, as apps read them', () => {
  it('answers several accounts at once (id[]=, or one id=), in the order asked, leaving out unknown ids', async () => {
    for (const [query, ids] of [
      [`id[]=${ben.id}&id[]=nope&id[]=${ana.id}`, [ben.id, ana.id]],
      [`id=${ben.id}`, [ben.id]],
    ] as const) {
      const res = await fetch(`${server.url}/api/v1/accounts?${query}`);
      assert.equal(res.status, 200, query);
      assert.deepEqual(
        ((await res.json()) as { id: string }[]).map((a) => a.id),
        ids,
      );
    }
    assert.equal((await fetch(`${server.url}/api/v1/accounts`)).status, 422, 'at least one id');
    const many = Array.from({ length: 41 }, (_, i) => `id[]=${i}`).join('&');
    assert.equal((await fetch(`${server.url}/api/v1/accounts?${many}`)).status, 422, 'at most 40');
  });

  it("answers the member's posting defaults, as the settings keep them", async () => {
    await ana.client.v1.accounts.updateCredentials({ source: { privacy: 'unlisted', sensitive: true, language: 'de' } });
    const preferences = await ana.client.v1.preferences.fetch();
    assert.deepEqual(preferences, {
      'posting:default:visibility': 'unlisted',
      'posting:default:sensitive': true,
      'posting:default:language': 'de',
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
    });
    const posted = await ana.client.v1.statuses.create({ status: 'with the defaults' });
    assert.equal(posted.visibility, 'unlisted', 'the defaults are what a post gets');
    assert.equal((await fetch(`${server.url}/api/v1/preferences`)).status, 401);
  });
});

describe('paths apps reach for', () => {
  it('searches accounts at /api/v1/accounts/search (no account id), through masto and raw HTTP', async () => {
    const found = await ana.client.v1.accounts.search.list({ q: 'ben' });
    assert.deepEqual(
      found.map((a) => a.username),
      ['ben'],
    );
    const raw = await call('GET', '/api/v1/accounts/search/?q=%40ana&limit=5', ben.token);
    assert.equal(raw.status, 200);
    assert.deepEqual(
      ((await raw.json()) as { username: string }[]).map((a) => a.username),
      ['ana'],
    );
    assert.equal((await call('GET', '/api/v1/accounts/search', ben.token)).status, 422, 'q is needed');
    assert.equal((await fetch(`${server.url}/api/v1/accounts/search?q=ben`)).status, 401);
  });

  it("serves the Instance's extended description, languages and translation languages", async () => {
    const extended = await ana.client.v1.instance.extendedDescription.fetch();
    assert.equal(typeof extended.content, 'string');
    assert.ok(!Number.isNaN(Date.parse(extended.updatedAt ?? '')));
    const languages = (await ana.client.v1.instance.languages.list()) as unknown as { code: string; name: string }[];
    assert.ok(languages.length > 150);
    assert.deepEqual(
      languages.find((l) => l.code === 'de'),
      { code: 'de', name: 'German' },
    );
    assert.deepEqual(await ana.client.v1.instance.translationLanguages.list(), {}, 'no translation offered');
  });

  it('lists the posts quoting a post, as the viewer may see them', async () => {
    const quoted = await ben.client.v1.statuses.create({ status: 'quote me' });
    const open = await ana.client.v1.statuses.create({ status: 'quoting openly', quotedStatusId: quoted.id });
    await ana.client.v1.statuses.create({ status: 'quoting for followers', quotedStatusId: quoted.id, visibility: 'private' });
    const res = await call('GET', `/api/v1/statuses/${quoted.id}/quotes`, ben.token);
    assert.equal(res.status, 200);
    assert.deepEqual(
      ((await res.json()) as { id: string }[]).map((s) => s.id),
      [open.id],
      'ben does not follow ana: her followers-only quote is not his to see',
    );
    assert.equal(((await (await call('GET', `/api/v1/statuses/${quoted.id}/quotes`, ana.token)).json()) as unknown[]).length, 2);
    assert.equal((await call('GET', '/api/v1/statuses/nothing/quotes', ben.token)).status, 404);
  });

  it('answers a Mastodon path it does not serve with a JSON 404', async () => {
    // Mastodon's yearly summaries: not something Stoa makes.
    const res = await call('GET', '/api/v1/annual_reports', ana.token);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'Not found');
  });
});
