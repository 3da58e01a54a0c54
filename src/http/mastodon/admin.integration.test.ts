import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient, type mastodon } from 'masto';
import sharp from 'sharp';
import { createLocalAccount, setRole } from '../../domain/accounts/accounts.service.ts';
import { verifyAuditChain } from '../../domain/moderation/audit-log.ts';
import { OPERATOR } from '../../domain/moderation/staff.ts';
import { systemClock } from '../../lib/clock.ts';
import { clientCredentialsToken, createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { row, rows, setColumns } from '../../testing/rows.ts';
import { apiProofOfWork } from '../../testing/proof-of-work.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Mastodon's admin API, driven as an admin app drives it (the `masto` client library and plain HTTP), and
// what each action does on every read path: timelines, search, profiles, sign-in, tokens, notifications.

let server: TestServer;
let app: { clientId?: string | null; clientSecret?: string | null };
let admin: mastodon.rest.Client;
let mod: mastodon.rest.Client;
let modId: string;
let people: Record<'mia' | 'spam' | 'sam' | 'fan', TestAccount>;
const ADMIN_SCOPES = 'read write follow push admin:read admin:write';

function tokenFor(username: string, scope = ADMIN_SCOPES): Promise<string> {
  return passwordToken(server.url, app, username, `${username} uses a long password`, scope);
}

async function api(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

async function staffAccount(
  username: string,
  role: 'admin' | 'moderator',
): Promise<{ id: string; client: mastodon.rest.Client; token: string }> {
  const account = await createLocalAccount(server.app.db, systemClock, server.config, {
    username,
    email: `${username}@example.org`,
    password: `${username} uses a long password`,
    confirmed: true,
  });
  await setRole(server.app.db, systemClock, account.id, role);
  const token = await tokenFor(username);
  return { id: account.id, token, client: createRestAPIClient({ url: server.url, accessToken: token }) };
}

before(async () => {
  const rules = join(mkdtempSync(join(tmpdir(), 'stoa-rules-')), 'rules.txt');
  writeFileSync(rules, 'No threats or calls to violence.\nNo spam.\n');
  server = await startTestServer({ STOA_REGISTRATION: 'open', STOA_TRUSTED_PROXIES: '127.0.0.1', STOA_RULES_FILE: rules });
  app = await createRestAPIClient({ url: server.url }).v1.apps.create({
    clientName: 'Admin app',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: ADMIN_SCOPES,
  });
  admin = (await staffAccount('chief', 'admin')).client;
  const moderator = await staffAccount('keeper', 'moderator');
  mod = moderator.client;
  modId = moderator.id;
  const [mia, spam, sam, fan] = await createTestAccounts(server, ['mia', 'spam', 'sam', 'fan']);
  people = { mia: mia!, spam: spam!, sam: sam!, fan: fan! };
});
after(() => server.close());

describe('who may call the admin API', () => {
  it('refuses every admin route to a member holding admin scopes, and to a moderator without them (over the route table)', async () => {
    const member = await tokenFor('mia');
    const modWithoutAdminScopes = await tokenFor('keeper', 'read write follow');
    const adminRoutes = server.app.apiRoutes.filter((r) => /^\/api\/v[12]\/admin\//.test(r.path));
    assert.ok(adminRoutes.length >= 40, `${adminRoutes.length} admin routes`);
    for (const route of adminRoutes) {
      const path = route.path.replace(/:[a-z_]+/g, '0193d2a0-0000-7000-8000-000000000000');
      for (const [who, token] of [
        ['a member with admin scopes', member],
        ['a moderator without admin scopes', modWithoutAdminScopes],
      ] as const) {
        const res = await api(token, route.method, path, route.method === 'GET' ? undefined : {});
        assert.equal(res.status, 403, `${who}: ${route.method} ${route.path} answered ${res.status}`);
        assert.equal(typeof res.body.error, 'string');
      }
    }
  });

  it('keeps server-wide blocks to admins: a moderator is refused them', async () => {
    const modToken = await tokenFor('keeper');
    for (const path of [
      '/api/v1/admin/domain_blocks',
      '/api/v1/admin/ip_blocks',
      '/api/v1/admin/email_domain_blocks',
      '/api/v1/admin/domain_allows',
    ]) {
      assert.equal((await api(modToken, 'GET', path)).status, 403, path);
    }
    assert.equal((await api(modToken, 'GET', '/api/v1/admin/accounts')).status, 200);
  });
});

describe('accounts', () => {
  it('lists and filters accounts (v1 and v2) with the Admin::Account fields', async () => {
    const local = await admin.v1.admin.accounts.list({ local: true, limit: 200 });
    const usernames = local.map((a) => a.username);
    for (const name of ['chief', 'keeper', 'mia', 'spam']) assert.ok(usernames.includes(name), name);
    const mia = local.find((a) => a.username === 'mia')!;
    assert.equal(mia.email, 'mia@example.org');
    assert.equal(mia.confirmed, true);
    assert.equal(mia.approved, true);
    assert.equal(mia.suspended, false);
    assert.equal(mia.account.acct, 'mia');
    const staff = (await api(await tokenFor('chief'), 'GET', '/api/v2/admin/accounts?origin=local&permissions=staff')).body as {
      username: string;
      role: { name: string };
    }[];
    assert.deepEqual(staff.map((a) => a.username).sort(), ['chief', 'keeper']);
    assert.equal(staff.find((a) => a.username === 'chief')!.role.name, 'Admin');
    const byName = await admin.v1.admin.accounts.list({ username: 'spa' });
    assert.deepEqual(
      byName.map((a) => a.username),
      ['spam'],
    );
    const byEmail = await api(await tokenFor('chief'), 'GET', '/api/v2/admin/accounts?email=mia%40example');
    assert.deepEqual(
      (byEmail.body as { username: string }[]).map((a) => a.username),
      ['mia'],
    );
    assert.equal((await api(await tokenFor('chief'), 'GET', '/api/v2/admin/accounts?status=frozen')).status, 422);
  });

  it('limits an account: gone from public timelines, hashtags and search for strangers, kept for followers; its follows need approval', async () => {
    const { spam, sam, fan } = people;
    await fan.client.v1.accounts.$select(spam.id).follow();
    const post = await spam.client.v1.statuses.create({ status: 'buy my things #deals', visibility: 'public' });
    const publicIds = async (client: mastodon.rest.Client) => (await client.v1.timelines.public.list({ local: true })).map((s) => s.id);
    const tagIds = async (client: mastodon.rest.Client) => (await client.v1.timelines.tag.$select('deals').list()).map((s) => s.id);
    assert.ok((await publicIds(sam.client)).includes(post.id));

    await mod.v1.admin.accounts.$select(spam.id).action.create({ type: 'silence', text: 'spam' });
    assert.equal((await mod.v1.admin.accounts.$select(spam.id).fetch()).silenced, true);
    assert.ok(!(await publicIds(sam.client)).includes(post.id), 'a stranger no longer sees it on the public timeline');
    assert.ok(!(await tagIds(sam.client)).includes(post.id), 'nor under its hashtag');
    const anonymous = await (await fetch(`${server.url}/api/v1/timelines/public?local=true`)).json();
    assert.ok(!(anonymous as { id: string }[]).some((s) => s.id === post.id), 'nor does anyone signed out');
    assert.ok((await publicIds(fan.client)).includes(post.id), 'a follower still does');
    const found = await sam.client.v2.search.list({ q: 'spam', type: 'accounts' });
    assert.ok(!found.accounts.some((a) => a.id === spam.id), 'search does not find it for strangers');
    const profile = await sam.client.v1.accounts.$select(spam.id).fetch();
    assert.equal((profile as unknown as { limited?: boolean }).limited, true);
    // Its follows of an unlocked account are requests now.
    await spam.client.v1.accounts.$select(sam.id).follow();
    const [relationship] = await spam.client.v1.accounts.relationships.fetch({ id: [sam.id] });
    assert.equal(relationship!.following, false);
    assert.equal(relationship!.requested, true);

    await mod.v1.admin.accounts.$select(spam.id).unsilence();
    assert.ok((await publicIds(sam.client)).includes(post.id), 'lifted: back on the public timeline');
    await spam.client.v1.accounts.$select(sam.id).unfollow();
  });

  it('marks an account sensitive: its media shows as sensitive until lifted', async () => {
    const { spam, sam } = people;
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const media = await spam.client.v2.media.create({ file: new Blob([new Uint8Array(png)], { type: 'image/png' }) });
    const post = await spam.client.v1.statuses.create({ status: 'a picture', mediaIds: [media.id] });
    const text = await spam.client.v1.statuses.create({ status: 'only words' });
    assert.equal((await sam.client.v1.statuses.$select(post.id).fetch()).sensitive, false);
    await mod.v1.admin.accounts.$select(spam.id).action.create({ type: 'sensitive' });
    assert.equal((await sam.client.v1.statuses.$select(post.id).fetch()).sensitive, true);
    assert.equal((await sam.client.v1.statuses.$select(text.id).fetch()).sensitive, false, 'a post without media is unchanged');
    assert.equal((await mod.v1.admin.accounts.$select(spam.id).fetch()).sensitized, true);
    await mod.v1.admin.accounts.$select(spam.id).unsensitive();
    assert.equal((await sam.client.v1.statuses.$select(post.id).fetch()).sensitive, false);
  });

  it('suspends an account: signed out everywhere, refused at sign-in, hidden with its posts; lifted, all comes back', async () => {
    const { spam, sam } = people;
    const post = await spam.client.v1.statuses.create({ status: 'something awful' });
    await mod.v1.admin.accounts.$select(spam.id).action.create({ type: 'suspend', text: 'threats against a member' });
    assert.equal((await api(spam.token, 'GET', '/api/v1/accounts/verify_credentials')).status, 401, 'its token is revoked');
    await assert.rejects(tokenFor('spam'), /refused/, 'it cannot sign in');
    assert.equal((await api(sam.token, 'GET', `/api/v1/statuses/${post.id}`)).status, 404);
    assert.equal((await api(sam.token, 'GET', `/api/v1/accounts/${spam.id}`)).status, 404);
    assert.equal((await fetch(`${server.url}/@spam`)).status, 404, 'its public page is gone');
    const actor = await (await fetch(`${server.url}/users/spam`, { headers: { accept: 'application/activity+json' } })).json();
    assert.equal((actor as { suspended?: boolean }).suspended, true, 'other servers see the actor suspended');
    assert.equal((actor as { name?: string }).name, undefined, 'with nothing of its profile');
    assert.equal(
      (await mod.v1.admin.accounts.list({ suspended: true })).some((a) => a.id === spam.id),
      true,
    );

    await mod.v1.admin.accounts.$select(spam.id).unsuspend();
    assert.equal((await api(sam.token, 'GET', `/api/v1/statuses/${post.id}`)).status, 200);
    people.spam = { ...spam, token: await tokenFor('spam', 'read write follow push') };
    people.spam = { ...people.spam, client: createRestAPIClient({ url: server.url, accessToken: people.spam.token }) };
  });

  it('disables sign-in only: tokens stop working, the account stays visible; enabled again it signs in', async () => {
    const { spam, sam } = people;
    await mod.v1.admin.accounts.$select(spam.id).action.create({ type: 'disable' });
    assert.equal((await api(spam.token, 'GET', '/api/v1/accounts/verify_credentials')).status, 401);
    await assert.rejects(tokenFor('spam'), /refused/);
    assert.equal((await api(sam.token, 'GET', `/api/v1/accounts/${spam.id}`)).status, 200, 'still visible');
    assert.equal((await mod.v1.admin.accounts.$select(spam.id).fetch()).disabled, true);
    await mod.v1.admin.accounts.$select(spam.id).enable();
    const token = await tokenFor('spam', 'read write follow push');
    assert.equal((await api(token, 'GET', '/api/v1/accounts/verify_credentials')).status, 200);
    people.spam = { ...spam, token, client: createRestAPIClient({ url: server.url, accessToken: token }) };
  });

  it('gives a strike the member sees as a moderation_warning notification, and resolves the report it came from', async () => {
    const { mia, spam } = people;
    const report = await mia.client.v1.reports.create({ accountId: spam.id, comment: 'spamming me', category: 'spam' });
    await mod.v1.admin.accounts.$select(spam.id).action.create({ type: 'none', reportId: report.id, text: 'Please stop posting ads.' });
    const notifications = await spam.client.v1.notifications.list({ types: ['moderation_warning'] as never });
    // As the client library reads it (camel case): the strike, with its reason.
    const warning = notifications[0] as unknown as {
      type: string;
      moderationWarning: { action: string; text: string; targetAccount: { id: string } };
    };
    assert.equal(warning.type, 'moderation_warning');
    assert.equal(warning.moderationWarning.action, 'none');
    assert.equal(warning.moderationWarning.text, 'Please stop posting ads.');
    assert.equal(warning.moderationWarning.targetAccount.id, spam.id);
    const resolved = await mod.v1.admin.reports.$select(report.id).fetch();
    assert.equal(resolved.actionTaken, true);
    assert.equal(resolved.actionTakenByAccount?.id, modId);
  });

  it('approves and rejects sign-ups waiting for the moderators, who hear of each (admin.sign_up)', async () => {
    const waiting = await Promise.all(
      ['applicant1', 'applicant2'].map((username) =>
        createLocalAccount(server.app.db, systemClock, server.config, {
          username,
          email: `${username}@example.org`,
          password: `${username} uses a long password`,
          confirmed: true,
          approved: false,
        }),
      ),
    );
    const pending = await mod.v1.admin.accounts.list({ pending: true });
    assert.deepEqual(pending.map((a) => a.username).sort(), ['applicant1', 'applicant2']);
    const approved = await mod.v1.admin.accounts.$select(waiting[0]!.id).approve();
    assert.equal(approved.approved, true);
    await mod.v1.admin.accounts.$select(waiting[1]!.id).reject();
    assert.equal(await row(server.app.db, 'accounts', { id: waiting[1]!.id }), undefined, 'a rejected applicant is removed');
    assert.equal(
      (await api(await tokenFor('keeper'), 'POST', `/api/v1/admin/accounts/${waiting[0]!.id}/reject`)).status,
      403,
      'an approved account is not rejected',
    );
    // Through the sign-up API: the moderators are told.
    const appToken = await clientCredentialsToken(server.url, app, 'read write');
    const signUp = await fetch(`${server.url}/api/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.20' },
      body: JSON.stringify({
        username: 'newcomer',
        email: 'newcomer@example.org',
        password: 'purple monkey dishwasher',
        agreement: true,
        ...(await apiProofOfWork(server.url)),
      }),
    });
    assert.equal(signUp.status, 200);
    const told = await mod.v1.notifications.list({ types: ['admin.sign_up'] as never });
    assert.ok(told.some((n) => n.account?.username === 'newcomer'));
  });

  it('deletes a suspended account for good, and refuses to delete one that is not suspended', async () => {
    const [gone] = (await createTestAccounts(server, ['gone'])) as [TestAccount];
    const rootToken = await tokenFor('chief');
    assert.equal((await api(rootToken, 'DELETE', `/api/v1/admin/accounts/${gone.id}`)).status, 403);
    await admin.v1.admin.accounts.$select(gone.id).action.create({ type: 'suspend' });
    const res = await api(rootToken, 'DELETE', `/api/v1/admin/accounts/${gone.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.username, 'gone');
    assert.equal(await row(server.app.db, 'accounts', { id: gone.id }), undefined);
  });

  it('refuses a moderator acting on an admin, and anyone acting on themselves', async () => {
    const root = (await admin.v1.accounts.verifyCredentials()).id;
    const modToken = await tokenFor('keeper');
    assert.equal((await api(modToken, 'POST', `/api/v1/admin/accounts/${root}/action`, { type: 'suspend' })).status, 403);
    assert.equal((await api(modToken, 'POST', `/api/v1/admin/accounts/${modId}/action`, { type: 'silence' })).status, 403);
    assert.equal((await api(modToken, 'POST', `/api/v1/admin/accounts/${root}/action`, { type: 'explode' })).status, 422);
  });
});

describe('reports', () => {
  it('lists, assigns, recategorizes, resolves and reopens a report, each step told to moderators and kept on the record', async () => {
    const { mia, sam } = people;
    const post = await sam.client.v1.statuses.create({ status: 'a rude reply' });
    const report = await mia.client.v1.reports.create({ accountId: sam.id, statusIds: [post.id], comment: 'rude', category: 'other' });
    const told = await mod.v1.notifications.list({ types: ['admin.report'] as never });
    assert.equal((told[0] as unknown as { report: { id: string } }).report.id, report.id, 'moderators hear of the report');
    const open = await mod.v1.admin.reports.list();
    const listed = open.find((r) => r.id === report.id)!;
    assert.equal(listed.targetAccount.username, 'sam');
    assert.equal(listed.account.username, 'mia');
    assert.deepEqual(
      listed.statuses.map((s) => s.id),
      [post.id],
    );
    assert.equal((await mod.v1.admin.reports.$select(report.id).assignToSelf()).assignedAccount?.id, modId);
    assert.equal((await mod.v1.admin.reports.$select(report.id).unassign()).assignedAccount, null);
    const modToken = await tokenFor('keeper');
    const changed = await api(modToken, 'PUT', `/api/v1/admin/reports/${report.id}`, { category: 'violation', rule_ids: ['1'] });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.category, 'violation');
    assert.deepEqual(
      (changed.body.rules as { id: string }[]).map((r) => r.id),
      ['1'],
    );
    assert.equal((await api(modToken, 'PUT', `/api/v1/admin/reports/${report.id}`, { rule_ids: ['99'] })).status, 422);
    assert.equal((await mod.v1.admin.reports.$select(report.id).resolve()).actionTaken, true);
    assert.ok(!(await mod.v1.admin.reports.list()).some((r) => r.id === report.id), 'gone from the open reports');
    assert.ok((await mod.v1.admin.reports.list({ resolved: true })).some((r) => r.id === report.id));
    const byServer = await api(await tokenFor('keeper'), 'GET', '/api/v1/admin/reports?resolved=true&by_target_domain=elsewhere.example');
    assert.deepEqual(byServer.body, [], 'filtered by server');
    assert.equal((await mod.v1.admin.reports.$select(report.id).reopen()).actionTaken, false);
    const log = await rows(server.app.db, 'audit_log', { target_id: report.id });
    assert.deepEqual(log.map((e) => e.action).sort(), [
      'assign_report',
      'reopen_report',
      'resolve_report',
      'unassign_report',
      'update_report',
    ]);
  });
});

describe('flagging threats of violence', () => {
  it('files a report from the server for a post that matches a rule, naming the rule; an ordinary post is left alone', async () => {
    const { sam } = people;
    const threat = await sam.client.v1.statuses.create({ status: "I'm going to kill you if you come back here", language: 'en' });
    await sam.client.v1.statuses.create({ status: 'This game is killing me', language: 'en' });
    const reports = (await mod.v1.admin.reports.list()).filter(
      (r) => r.targetAccount.id === sam.id && r.category === 'violation' && r.account === null,
    );
    assert.equal(reports.length, 1);
    const [flagged] = reports;
    assert.equal(flagged!.account, null, 'filed by the server, not by a person');
    assert.match(flagged!.comment, /rule en\.intent/);
    assert.deepEqual(
      flagged!.statuses.map((s) => s.id),
      [threat.id],
    );
    const told = await mod.v1.notifications.list({ types: ['admin.report'] as never });
    assert.equal((told[0] as unknown as { report: { id: string } }).report.id, flagged!.id);
    // The post is not hidden: moderators decide.
    assert.equal((await api(people.mia.token, 'GET', `/api/v1/statuses/${threat.id}`)).status, 200);
    // Editing it keeps one report.
    await sam.client.v1.statuses.$select(threat.id).update({ status: "I'm going to kill you, I said" });
    assert.equal(
      (await mod.v1.admin.reports.list()).filter((r) => r.targetAccount.id === sam.id && r.category === 'violation' && r.account === null)
        .length,
      1,
    );
  });
});

describe('server-wide blocks', () => {
  it('keeps domain blocks: create, refuse a duplicate with the existing block, update, list publicly (obfuscated), export and import CSV, delete', async () => {
    const block = await admin.v1.admin.domainBlocks.create({
      domain: 'Bad.Example',
      severity: 'suspend',
      rejectMedia: true,
      publicComment: 'harassment',
      privateComment: 'see report 12',
      obfuscate: true,
    });
    assert.equal(block.domain, 'bad.example');
    assert.equal(block.severity, 'suspend');
    const rootToken = await tokenFor('chief');
    const again = await api(rootToken, 'POST', '/api/v1/admin/domain_blocks', { domain: 'bad.example' });
    assert.equal(again.status, 422);
    assert.equal(again.body.existing_domain_block.id, block.id);
    assert.equal((await api(rootToken, 'POST', '/api/v1/admin/domain_blocks', { domain: 'not a domain' })).status, 422);
    assert.equal((await api(rootToken, 'POST', '/api/v1/admin/domain_blocks', { domain: server.config.domain })).status, 403);
    const updated = await admin.v1.admin.domainBlocks.$select(block.id).update({ severity: 'silence' });
    assert.equal(updated.severity, 'silence');
    const shown = (await (await fetch(`${server.url}/api/v1/instance/domain_blocks`)).json()) as {
      domain: string;
      digest: string;
      comment?: string;
      severity: string;
    }[];
    assert.deepEqual(shown, [{ domain: 'b*d.example', digest: shown[0]!.digest, severity: 'silence', comment: 'harassment' }]);
    const about = await (await fetch(`${server.url}/about`)).text();
    assert.match(about, /<strong>b\*d\.example<\/strong> \(limited\): harassment/, 'the about page lists it too');
    assert.doesNotMatch(about, /bad\.example/, 'obfuscated there as well');
    const csv = await api(rootToken, 'GET', '/api/v1/admin/domain_blocks/export');
    assert.equal(csv.status, 200);
    assert.match(
      csv.body as string,
      /^#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nbad\.example,silence,true,false,harassment,true\n$/,
    );
    const form = new FormData();
    form.set(
      'data',
      new Blob(['#domain,#severity,#reject_media\nbad.example,suspend,false\nworse.example,suspend,true\n"not a domain",noop,false\n'], {
        type: 'text/csv',
      }),
      'shared-list.csv',
    );
    const imported = await fetch(`${server.url}/api/v1/admin/domain_blocks/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rootToken}` },
      body: form,
    });
    const result = (await imported.json()) as { created: string[]; skipped: string[]; invalid: { line: number }[] };
    assert.deepEqual(result.created, ['worse.example']);
    assert.deepEqual(result.skipped, ['bad.example']);
    assert.deepEqual(
      result.invalid.map((i) => i.line),
      [4],
    );
    const worse = (await admin.v1.admin.domainBlocks.list()).find((b) => b.domain === 'worse.example')!;
    assert.equal((worse as unknown as { source: string }).source, 'import:shared-list.csv', 'an imported block says where it came from');
    assert.equal(worse.rejectMedia, true);
    await admin.v1.admin.domainBlocks.$select(block.id).remove();
    await admin.v1.admin.domainBlocks.$select(worse.id).remove();
    assert.deepEqual(await admin.v1.admin.domainBlocks.list(), []);
  });

  it('refuses sign-ups from blocked email domains and canonical addresses, and holds those from an address range for approval', async () => {
    const appToken = await clientCredentialsToken(server.url, app, 'read write');
    const signUp = async (username: string, email: string, ip: string) =>
      fetch(`${server.url}/api/v1/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({
          username,
          email,
          password: 'purple monkey dishwasher',
          agreement: true,
          ...(await apiProofOfWork(server.url)),
        }),
      });
    const domainBlock = await admin.v1.admin.emailDomainBlocks.create({ domain: 'spam-mail.example' });
    assert.equal((await signUp('blocked1', 'someone@spam-mail.example', '198.51.100.30')).status, 403);
    assert.equal((await signUp('blocked2', 'someone@mx.spam-mail.example', '198.51.100.31')).status, 403, 'subdomains too');
    await admin.v1.admin.emailDomainBlocks.$select(domainBlock.id).remove();
    assert.equal((await signUp('unblocked', 'someone@spam-mail.example', '198.51.100.32')).status, 200);

    await admin.v1.admin.canonicalEmailBlocks.create({ email: 'troll+one@example.net' });
    const tested = await admin.v1.admin.canonicalEmailBlocks.test({ email: 'T.roll+two@Example.net' });
    assert.equal(tested.length, 1, 'another spelling of the same address matches');
    assert.equal((await signUp('troll', 'tr.oll+again@example.net', '198.51.100.33')).status, 403);

    const range = await admin.v1.admin.ipBlocks.create({
      ip: '203.0.113.0/24',
      severity: 'sign_up_requires_approval',
      comment: 'wave of bots',
    });
    assert.equal(range.ip, '203.0.113.0/24');
    assert.equal(server.app.services.policy.ipSeverity('203.0.113.9'), 'sign_up_requires_approval');
    assert.equal((await signUp('fromrange', 'fromrange@example.org', '203.0.113.9')).status, 200);
    assert.equal((await row(server.app.db, 'users', { email: 'fromrange@example.org' }))!.approved_at, null, 'held for approval');
    const range2 = await admin.v1.admin.ipBlocks.$select(range.id).update({ severity: 'sign_up_block' });
    assert.equal(range2.severity, 'sign_up_block');
    assert.equal((await signUp('fromrange2', 'fromrange2@example.org', '203.0.113.10')).status, 403);
    await admin.v1.admin.ipBlocks.$select(range.id).remove();
    assert.equal(
      (await api(await tokenFor('chief'), 'POST', '/api/v1/admin/ip_blocks', { ip: '300.1.1.1', severity: 'no_access' })).status,
      422,
    );
  });

  it('lists, shows and deletes every kind of server-wide block by id', async () => {
    const token = await tokenFor('chief');
    const kinds: [string, Record<string, string>, string][] = [
      ['domain_blocks', { domain: 'listed.example', severity: 'noop' }, 'domain'],
      ['domain_allows', { domain: 'allowed.example' }, 'domain'],
      ['email_domain_blocks', { domain: 'mail.listed.example' }, 'domain'],
      ['ip_blocks', { ip: '192.0.2.0/24', severity: 'sign_up_block', comment: 'test range' }, 'ip'],
      ['canonical_email_blocks', { email: 'someone@listed.example' }, 'canonical_email_hash'],
    ];
    for (const [kind, body, key] of kinds) {
      const created = await api(token, 'POST', `/api/v1/admin/${kind}`, body);
      assert.equal(created.status, 200, `${kind}: ${JSON.stringify(created.body)}`);
      const listed = await api(token, 'GET', `/api/v1/admin/${kind}?limit=200`);
      assert.ok(
        (listed.body as { id: string }[]).some((r) => r.id === created.body.id),
        `${kind} lists it`,
      );
      const shown = await api(token, 'GET', `/api/v1/admin/${kind}/${created.body.id}`);
      assert.equal(shown.body[key], created.body[key], `${kind} shows it`);
      assert.equal((await api(token, 'DELETE', `/api/v1/admin/${kind}/${created.body.id}`)).status, 200);
      assert.equal((await api(token, 'GET', `/api/v1/admin/${kind}/${created.body.id}`)).status, 404, `${kind} deleted it`);
    }
  });

  it('serves nothing to an address blocked with no_access', async () => {
    const block = await server.app.services.commands.blocks.createIpBlock(OPERATOR, { ip: '198.51.100.99', severity: 'no_access' });
    await server.app.services.policy.reload();
    const blocked = await fetch(`${server.url}/api/v1/instance`, { headers: { 'x-forwarded-for': '198.51.100.99' } });
    assert.equal(blocked.status, 403);
    const other = await fetch(`${server.url}/api/v1/instance`, { headers: { 'x-forwarded-for': '198.51.100.98' } });
    assert.equal(other.status, 200);
    await server.app.services.commands.blocks.deleteRow(OPERATOR, 'ip_blocks', block.id);
    await server.app.services.policy.reload();
    assert.equal((await fetch(`${server.url}/api/v1/instance`, { headers: { 'x-forwarded-for': '198.51.100.99' } })).status, 200);
  });

  it('keeps domain allows for allowlist federation', async () => {
    const allow = await admin.v1.admin.domainAllows.create({ domain: 'friends.example' });
    assert.deepEqual(
      (await admin.v1.admin.domainAllows.list()).map((a) => a.domain),
      ['friends.example'],
    );
    assert.equal(server.app.services.policy.federates('friends.example'), true);
    await admin.v1.admin.domainAllows.$select(allow.id).remove();
  });
});

describe('the dashboard and the record', () => {
  it('measures new users and reports per day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const measures = await admin.v1.admin.measures.create({ keys: ['new_users', 'opened_reports'], startAt: today, endAt: today });
    // Counted from the rows made today (a run that crosses midnight made some of them yesterday).
    const users = (await rows(server.app.db, 'users')).filter((u) => u.created_at.startsWith(today));
    const newUsers = measures.find((m) => m.key === 'new_users')!;
    assert.equal(Number(newUsers.total), users.length);
    assert.equal(newUsers.data.length, 1);
    const reports = (await rows(server.app.db, 'reports')).filter((r) => r.created_at.startsWith(today));
    assert.equal(Number(measures.find((m) => m.key === 'opened_reports')!.total), reports.length);
    assert.equal(
      (await api(await tokenFor('chief'), 'POST', '/api/v1/admin/measures', { keys: ['nonsense'], start_at: today, end_at: today })).status,
      422,
    );
  });

  it('keeps every action on a hash-chained audit log that finds an edited or removed entry', async () => {
    const { db } = server.app;
    const entries = await rows(db, 'audit_log');
    assert.ok(entries.length >= 20, `${entries.length} entries`);
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'silence',
      'unsilence',
      'suspend',
      'unsuspend',
      'sensitive',
      'disable',
      'enable',
      'approve',
      'reject',
      'block_domain',
      'unblock_domain',
      'block_ip',
    ])
      assert.ok(actions.has(action), action);
    assert.ok(entries.every((e) => ['@keeper', '@chief', 'cli', 'system'].includes(e.actor)));
    assert.equal(entries.find((e) => e.action === 'flag_rules')?.target_id, 'starter', 'the rules in force are on the record');
    assert.deepEqual(await verifyAuditChain(db.read), { ok: true, entries: entries.length });

    const victim = entries[5]!;
    await setColumns(db, 'audit_log', { seq: victim.seq }, { detail: '{"text":"nothing happened"}' });
    const tampered = await verifyAuditChain(db.read);
    assert.equal(tampered.ok, false);
    assert.equal(!tampered.ok && tampered.seq, Number(victim.seq));
    await setColumns(db, 'audit_log', { seq: victim.seq }, { detail: victim.detail });
    assert.equal((await verifyAuditChain(db.read)).ok, true);
  });
});
