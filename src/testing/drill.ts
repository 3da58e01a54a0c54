import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRestAPIClient, type mastodon } from 'masto';
import sharp from 'sharp';
import type { RawEnv } from '../config/index.ts';
import { runCli } from '../main.ts';
import { createTestAccounts, type TestAccount } from './accounts.ts';
import { freePort } from './free-port.ts';
import { federatedEnv, startFederatedServer, testEnv, type TestServer } from './test-app.ts';
import { createSqliteTestDatabase, createTestDatabase, testDatabaseUrl, type TestDatabase } from './test-database.ts';
import { until } from './until.ts';

/** One step of the drill and how long it took. */
export interface DrillStep {
  readonly name: string;
  readonly ms: number;
}

const A_HOST = '127.0.0.2';
const B_HOST = '127.0.0.3';
const C_HOST = '127.0.0.4';
const PASSPHRASE = 'the drill passphrase, long enough';
/** Each server generates its secret in its data folder, as `npm start` does; the backup carries A's to C. */
const OWN_SECRET: RawEnv = { STOA_SECRET: undefined, STOA_LOG_LEVEL: 'warn' };

const sha256 = (bytes: ArrayBuffer) => createHash('sha256').update(Buffer.from(bytes)).digest('hex');
const path = (url: string) => new URL(url).pathname;

/** Runs `stoa` in this process with a server's environment; fails with its output unless it exits 0. */
async function stoa(args: string[], env: RawEnv): Promise<string> {
  const out: string[] = [];
  const code = await runCli(args, { env, cwd: process.cwd(), out: (l) => out.push(l), err: (l) => out.push(l) });
  assert.equal(code, 0, `stoa ${args.join(' ')} failed:\n${out.join('\n')}`);
  return out.join('\n');
}

/**
 * The whole story of a server that loses its host, its engine and its domain, rehearsed on one machine:
 * server A (SQLite) with members, posts, media and followers on server B; an online backup of A; A stopped
 * for good; the backup restored as server C (PostgreSQL when tests run on it) under a new domain;
 * `stoa domain move`; then every post, media file, profile and follow must be on C, B's members must
 * follow C's actors and receive what they post. Throws at the first thing that is not so; returns the
 * time each step took.
 */
export async function runDrill(log: (line: string) => void = () => {}): Promise<DrillStep[]> {
  const steps: DrillStep[] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    const ms = Math.round(performance.now() - started);
    steps.push({ name, ms });
    log(`${name}: ${ms} ms`);
    return result;
  };
  const work = mkdtempSync(join(tmpdir(), 'stoa-drill-'));
  const servers: TestServer[] = [];
  const databases: TestDatabase[] = [];
  try {
    const { a, b } = await step('start A (SQLite) and B', async () => {
      const a = await startFederatedServer(A_HOST, [B_HOST, C_HOST], OWN_SECRET, { database: createSqliteTestDatabase() });
      servers.push(a);
      const b = await startFederatedServer(B_HOST, [A_HOST, C_HOST], { STOA_LOG_LEVEL: 'warn' });
      servers.push(b);
      return { a, b };
    });
    const aOrigin = new URL(a.url).origin;

    const before = await step('members, posts, media and follows on A and B', async () => {
      const [alice, dave] = (await createTestAccounts(a, ['alice', 'dave'])) as [TestAccount, TestAccount];
      const [bob, carol] = (await createTestAccounts(b, ['bob', 'carol'])) as [TestAccount, TestAccount];
      await alice.client.v1.accounts.updateCredentials({
        displayName: 'Alice of A',
        note: 'Blue photos',
        fieldsAttributes: [{ name: 'Here', value: `${a.url}/@alice` }],
      });
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 90, b: 200 } } })
        .png()
        .toBuffer();
      const media = await alice.client.v2.media.create({
        file: new Blob([new Uint8Array(png)], { type: 'image/png' }),
        description: 'blue',
      });
      const mediaUrl = await until('the photo processed', async () => (await alice.client.v1.media.$select(media.id).fetch()).url);
      const mediaBytes = sha256(await (await fetch(`${a.url}${path(mediaUrl)}`)).arrayBuffer());
      await dave.client.v1.accounts.$select(alice.id).follow();
      const aliceOnB = await resolve(bob, `alice@${a.config.domain}`);
      const daveOnB = await resolve(carol, `dave@${a.config.domain}`);
      await bob.client.v1.accounts.$select(aliceOnB.id).follow();
      await carol.client.v1.accounts.$select(daveOnB.id).follow();
      const bobOnA = await resolve(alice, `bob@${b.config.domain}`);
      await alice.client.v1.accounts.$select(bobOnA.id).follow();
      await until('alice follows bob', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA.id] }))[0]?.following);
      await until('bob follows alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB.id] }))[0]?.following);
      await until(
        'carol follows dave',
        async () => (await carol.client.v1.accounts.relationships.fetch({ id: [daveOnB.id] }))[0]?.following,
      );
      await alice.client.v1.statuses.create({ status: 'a photo before the move', mediaIds: [media.id] });
      await alice.client.v1.statuses.create({ status: 'hello @dave #drill' });
      await until('the photo reached bob', async () =>
        (await bob.client.v1.timelines.home.list({ limit: 40 })).some((s) => s.content.includes('a photo before the move')),
      );
      const statuses = await alice.client.v1.accounts.$select(alice.id).statuses.list({ limit: 40 });
      return { alice, dave, bob, carol, mediaBytes, statuses };
    });

    const backupFile = join(work, 'a.backup');
    const aEnv = testEnv(a.config.dataDir, a.database, federatedEnv(A_HOST, Number(new URL(a.url).port), [B_HOST, C_HOST], OWN_SECRET));
    await step('online backup of A (while it runs)', () =>
      stoa(['backup', '--out', backupFile], { ...aEnv, STOA_BACKUP_PASSPHRASE: PASSPHRASE }),
    );

    await step('A stopped for good', async () => {
      servers.splice(servers.indexOf(a), 1);
      await a.close();
      // Days pass before the move: B's copies of A's actors are too old to be believed without reading them
      // again, and A no longer answers (the Move must be believed on the key B kept).
      const longAgo = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
      await b.app.db.transaction((tx) =>
        tx.updateTable('accounts').set({ fetched_at: longAgo }).where('domain', '=', a.config.domain).execute(),
      );
    });

    const cPort = await freePort(C_HOST);
    const cDatabase = testDatabaseUrl() ? await createTestDatabase() : createSqliteTestDatabase();
    databases.push(cDatabase);
    const cDataDir = mkdtempSync(join(tmpdir(), 'stoa-data-'));
    const cEnv = testEnv(cDataDir, cDatabase, federatedEnv(C_HOST, cPort, [B_HOST], OWN_SECRET));
    await step(`restore on C (${cDatabase.config.engine})`, () =>
      stoa(['restore', backupFile], { ...cEnv, STOA_BACKUP_PASSPHRASE: PASSPHRASE }),
    );
    await step('stoa domain move', () => stoa(['domain', 'move', '--yes'], cEnv));
    const c = await step('start C under its new domain', async () => {
      databases.splice(databases.indexOf(cDatabase), 1);
      const c = await startFederatedServer(C_HOST, [B_HOST], OWN_SECRET, { database: cDatabase, dataDir: cDataDir, port: cPort });
      servers.push(c);
      return c;
    });
    const cOrigin = new URL(c.url).origin;
    const { alice, dave, bob, carol } = before;
    const on = (server: TestServer, account: TestAccount) => createRestAPIClient({ url: server.url, accessToken: account.token });
    const aliceOnC = on(c, alice);

    await step("B's members follow the new actors", async () => {
      await until('bob follows alice at her new address', () => follows(bob, `alice@${c.config.domain}`), 30_000);
      await until('carol follows dave at his new address', () => follows(carol, `dave@${c.config.domain}`), 30_000);
      await until('alice, at her new address, follows bob again', () => followedBy(bob, `alice@${c.config.domain}`), 30_000);
      const former = await resolve(bob, `alice@${a.config.domain}`, false);
      const moved = await bob.client.v1.accounts.$select(former.id).fetch();
      assert.equal(moved.moved?.acct, `alice@${c.config.domain}`);
    });

    await step('everything carried to C', async () => {
      const me = await aliceOnC.v1.accounts.verifyCredentials();
      assert.equal(me.displayName, 'Alice of A');
      assert.equal(me.note, '<p>Blue photos</p>');
      assert.match(me.fields[0]!.value, new RegExp(`^(<a href=")?${cOrigin}/@alice`));
      assert.doesNotMatch(me.fields[0]!.value, new RegExp(aOrigin));
      assert.equal(me.url, `${cOrigin}/@alice`);
      const statuses = await aliceOnC.v1.accounts.$select(alice.id).statuses.list({ limit: 40 });
      assert.deepEqual(
        statuses.map((s) => [s.id, s.text ?? null, s.createdAt]),
        before.statuses.map((s) => [s.id, s.text ?? null, s.createdAt]),
      );
      assert.match(statuses.find((s) => s.content.includes('drill'))!.content, new RegExp(`href="${cOrigin}/tags/drill"`));
      for (const status of statuses) {
        assert.ok(status.uri.startsWith(`${cOrigin}/`), status.uri);
        assert.doesNotMatch(status.content, new RegExp(aOrigin));
      }
      const photo = statuses.find((s) => s.mediaAttachments.length)!;
      assert.ok(photo.mediaAttachments[0]!.url!.startsWith(cOrigin));
      assert.equal(sha256(await (await fetch(photo.mediaAttachments[0]!.url!)).arrayBuffer()), before.mediaBytes);
      const daveFollows = await on(c, dave).v1.accounts.$select(dave.id).following.list();
      assert.deepEqual(
        daveFollows.map((x) => x.acct),
        ['alice'],
      );
      const actor = (await (await fetch(`${cOrigin}/users/alice`, { headers: { accept: 'application/activity+json' } })).json()) as {
        id: string;
        alsoKnownAs?: string | string[];
      };
      assert.equal(actor.id, `${cOrigin}/users/alice`);
      assert.deepEqual([actor.alsoKnownAs].flat(), [`${aOrigin}/users/alice`]);
      // The old address still finds her (where the old domain redirects here, or a client asks C).
      const finger = await fetch(`${cOrigin}/.well-known/webfinger?resource=acct:alice@${a.config.domain}`);
      assert.equal(finger.status, 200);
      const jrd = (await finger.json()) as { subject: string; links: { rel: string; href?: string }[] };
      assert.equal(jrd.subject, `acct:alice@${c.config.domain}`);
      assert.equal(jrd.links.find((l) => l.rel === 'self')?.href, `${cOrigin}/users/alice`);
    });

    await step('a new post on C reaches B', async () => {
      await aliceOnC.v1.statuses.create({ status: 'after the move' });
      await until(
        'the new post in bob’s home',
        async () => (await bob.client.v1.timelines.home.list({ limit: 40 })).some((s) => s.content.includes('after the move')),
        30_000,
      );
    });
    return steps;
  } finally {
    for (const server of servers.reverse()) await server.close();
    for (const database of databases) await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The account at `handle` as `viewer`'s server knows it (looked up on the network when `resolve`). */
async function resolve(viewer: TestAccount, handle: string, resolve = true): Promise<mastodon.v1.Account> {
  const found = await viewer.client.v2.search.list({ q: `@${handle}`, resolve, type: 'accounts' });
  const account = found.accounts.find((x) => x.acct === handle);
  assert.ok(account, `${handle} is not found`);
  return account;
}

/** Whether `viewer` follows the account at `handle`. */
async function follows(viewer: TestAccount, handle: string): Promise<boolean> {
  const following = await viewer.client.v1.accounts.$select(viewer.id).following.list({ limit: 80 });
  return following.some((x) => x.acct === handle);
}

/** Whether the account at `handle` follows `viewer`. */
async function followedBy(viewer: TestAccount, handle: string): Promise<boolean> {
  const followers = await viewer.client.v1.accounts.$select(viewer.id).followers.list({ limit: 80 });
  return followers.some((x) => x.acct === handle);
}
