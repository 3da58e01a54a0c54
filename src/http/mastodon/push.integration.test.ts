import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';
import { drained } from '../../testing/queues.ts';
import { PUSH_CHANNEL } from '../../domain/notifications/notify.ts';
import { createPushService } from '../../domain/push/push.service.ts';
import { secretBox } from '../../lib/secret-box.ts';
import { row } from '../../testing/rows.ts';

// Web Push end to end: a device (a P-256 key pair and an auth secret made here) subscribes through
// Mastodon's API; a push service on loopback receives what the worker sends, and the test decrypts it
// (RFC 8291, with http_ece, the reference implementation) as the browser would.

const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(buffer: Buffer, params: { version: string; privateKey: unknown; authSecret: string }): Buffer;
};

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let server: TestServer;
let pushService: Server;
let endpoint: string;
let answer = 201;
const received: Received[] = [];
let alice: TestAccount;
let bob: TestAccount;
const device = createECDH('prime256v1');
device.generateKeys();
const authSecret = randomBytes(16).toString('base64url');

const decrypt = (push: Received) =>
  JSON.parse(ece.decrypt(push.body, { version: 'aes128gcm', privateKey: device, authSecret }).toString('utf8')) as Record<string, string>;
const api = (who: TestAccount, method: string, body?: unknown) =>
  fetch(`${server.url}/api/v1/push/subscription`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

before(async () => {
  pushService = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.9', resolve));
  endpoint = `http://127.0.0.9:${(pushService.address() as { port: number }).port}/push/device-1`;
  server = await startTestServer({ STOA_ALLOWED_PRIVATE_PEERS: '127.0.0.9' }, { workers: true });
  [alice, bob] = (await createTestAccounts(server, ['alice', 'bob'])) as [TestAccount, TestAccount];
});

after(async () => {
  await server?.close();
  await new Promise((resolve) => pushService?.close(resolve));
});

describe('Web Push', () => {
  it('refuses a subscription that is not one', async () => {
    const bad = await api(alice, 'POST', { subscription: { endpoint: 'ftp://example.org/x', keys: { p256dh: 'short', auth: 'x' } } });
    assert.equal(bad.status, 422);
    const body = (await bad.json()) as { error: string; details: Record<string, unknown> };
    assert.ok(
      body.details['subscription[endpoint]'] && body.details['subscription[keys][p256dh]'] && body.details['subscription[keys][auth]'],
    );
    assert.equal((await api(alice, 'GET')).status, 404);
  });

  it('takes keys in standard base64 with padding as well as base64url, as Mastodon does', async () => {
    const other = createECDH('prime256v1');
    other.generateKeys();
    const keys = { p256dh: other.getPublicKey().toString('base64'), auth: randomBytes(16).toString('base64') };
    assert.match(keys.auth, /=$/, 'padded');
    const res = await api(bob, 'POST', { subscription: { endpoint: `${endpoint}/bob`, keys } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await api(bob, 'DELETE')).status, 200);
  });

  it('subscribes, and pushes an encrypted, VAPID-signed notification for the alerts asked for', async () => {
    const sub = await alice.client.v1.push.subscription.create({
      subscription: { endpoint, keys: { p256dh: device.getPublicKey().toString('base64url'), auth: authSecret } },
      data: { alerts: { mention: true, favourite: false } },
      policy: 'all',
    });
    assert.equal(sub.endpoint, endpoint);
    assert.equal(sub.alerts.mention, true);
    assert.equal(sub.alerts.favourite, false);
    assert.ok(sub.serverKey.length > 80, 'no VAPID key');
    // Web clients need the key before they subscribe: the Instance and the app registration carry it.
    const instance = (await (await fetch(`${server.url}/api/v2/instance`)).json()) as { configuration: { vapid: { public_key: string } } };
    assert.equal(instance.configuration.vapid.public_key, sub.serverKey);
    const app = (await (
      await fetch(`${server.url}/api/v1/apps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'pwa', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' }),
      })
    ).json()) as { vapid_key: string };
    assert.equal(app.vapid_key, sub.serverKey);

    const post = await bob.client.v1.statuses.create({ status: '@alice the tide is out' });
    const push = await until('the push', () => received[0]);
    assert.equal(push.headers['content-encoding'], 'aes128gcm');
    assert.match(String(push.headers.authorization), new RegExp(`^vapid t=[^,]+, k=${sub.serverKey}$`));
    assert.equal(push.headers.ttl, String(48 * 3600));
    const payload = decrypt(push);
    assert.equal(payload.notification_type, 'mention');
    assert.equal(payload.title, 'bob mentioned you');
    assert.match(payload.body!, /the tide is out/);
    assert.equal(payload.access_token, alice.token);
    const notifications = await alice.client.v1.notifications.list();
    assert.equal(payload.notification_id, notifications[0]!.id);

    // A like is not pushed until the device asks for likes.
    await bob.client.v1.statuses.$select((await alice.client.v1.statuses.create({ status: 'like me' })).id).favourite();
    // Once the push worker has handled the like's notification, nothing more has been sent.
    await drained(server.app.db, PUSH_CHANNEL);
    assert.equal(received.length, 1);
    const updated = await alice.client.v1.push.subscription.update({ data: { alerts: { favourite: true } } });
    assert.equal(updated.alerts.favourite, true);
    assert.equal(updated.alerts.mention, true);
    await bob.client.v1.statuses.$select(post.id).reblog();
    await bob.client.v1.statuses.$select((await alice.client.v1.statuses.create({ status: 'like me too' })).id).favourite();
    const second = await until('the like pushed', () => received[1]);
    assert.equal(decrypt(second).notification_type, 'favourite');
  });

  it('forgets a subscription the push service says is gone', async () => {
    answer = 410;
    const before = received.length;
    await bob.client.v1.statuses.create({ status: '@alice are you there?' });
    await until('the push to a gone device', () => received.length > before);
    await until('the subscription forgotten', async () => (await api(alice, 'GET')).status === 404);
    answer = 201;
  });

  it('keeps a subscription through a token refresh, with the new token in the payload', async () => {
    const app = (await (
      await fetch(`${server.url}/api/v1/apps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'refresher', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write push' }),
      })
    ).json()) as { client_id: string; client_secret: string };
    const grant = async (body: Record<string, string>) =>
      (await (
        await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ client_id: app.client_id, client_secret: app.client_secret, ...body }),
        })
      ).json()) as { access_token: string; refresh_token: string };
    const first = await grant({
      grant_type: 'password',
      username: 'alice',
      password: 'alice uses a long password',
      scope: 'read write push',
    });
    const keys = { p256dh: device.getPublicKey().toString('base64url'), auth: authSecret };
    const subscribe = await fetch(`${server.url}/api/v1/push/subscription`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subscription: { endpoint, keys }, data: { alerts: { mention: true } } }),
    });
    assert.equal(subscribe.status, 200);
    const second = await grant({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    const kept = await fetch(`${server.url}/api/v1/push/subscription`, { headers: { authorization: `Bearer ${second.access_token}` } });
    assert.equal(kept.status, 200);
    const before = received.length;
    await bob.client.v1.statuses.create({ status: '@alice after the refresh' });
    const push = await until('the push after the refresh', () =>
      received.slice(before).find((r) => decrypt(r).body?.includes('after the refresh')),
    );
    assert.equal(decrypt(push).access_token, second.access_token);
  });

  it('makes a new VAPID pair when the server secret changed (the old one cannot be opened)', async () => {
    const original = await server.app.services.push.vapidKeys();
    const rekeyed = await createPushService({
      db: server.app.db,
      clock: Date.now,
      box: secretBox('another-secret-that-is-at-least-32-characters', 'web-push'),
      allowHttp: true,
    }).vapidKeys();
    assert.notEqual(rekeyed.publicKey, original.publicKey);
    const stored = await row(server.app.db, 'server_keys', { name: 'vapid' });
    assert.equal(stored?.public_key, rekeyed.publicKey);
  });

  it('unsubscribes', async () => {
    await alice.client.v1.push.subscription.create({
      subscription: { endpoint, keys: { p256dh: device.getPublicKey().toString('base64url'), auth: authSecret } },
      data: { alerts: { mention: true } },
      policy: 'all',
    });
    assert.equal((await api(alice, 'GET')).status, 200);
    assert.equal((await api(alice, 'DELETE')).status, 200);
    assert.equal((await api(alice, 'GET')).status, 404);
  });
});
