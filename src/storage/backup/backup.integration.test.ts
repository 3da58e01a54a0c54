import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../config/index.ts';
import { setRole } from '../../domain/accounts/accounts.service.ts';
import { recordVerifiedBackup } from '../../domain/instance/backup-age.ts';
import { systemClock } from '../../lib/clock.ts';
import { TestBrowser } from '../../testing/browser.ts';
import { backupDue, runScheduledBackup } from '../../workers/backup.job.ts';
import { s3FileBucket } from '../blobs/s3-blob-store.ts';
import { startTestS3 } from '../../testing/s3-server.ts';
import { rebuildSearchIndex } from '../../domain/statuses/search-index.ts';
import { createLogger } from '../../lib/logger.ts';
import { createRestAPIClient } from 'masto';
import { createTestAccounts, passwordToken, type TestAccount } from '../../testing/accounts.ts';
import { rows } from '../../testing/rows.ts';
import { startTestServer, testEnv, type TestServer } from '../../testing/test-app.ts';
import { createSqliteTestDatabase, createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../testing/test-database.ts';
import { createBlobStore } from '../blobs/create-blob-store.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { BackupError, backupWriter, readBackup } from './archive.ts';
import { restoreBackup, takeBackup, verifyBackup } from './backup.ts';

// A backup taken while the server runs restores on the other engine (when both are at hand) into a
// server that answers as the original did: posts, reposts, media files (same bytes), sign-in, search.

const PASSPHRASE = 'correct horse battery staple';
let a: TestServer;
let ann: TestAccount;
let bob: TestAccount;
let quokka: { id: string; mediaUrl: string };
let dir: string;
let archive: string;
/** Posts acknowledged before the backup began, while others were being written. */
const acknowledged: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stoa-backup-'));
  archive = join(dir, 'stoa.backup');
  a = await startTestServer();
  [ann, bob] = (await createTestAccounts(a, ['ann', 'bob'])) as [TestAccount, TestAccount];
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
  const media = await ann.client.v2.media.create({
    file: new Blob([new Uint8Array(png)], { type: 'image/png' }),
    description: 'a red card',
  });
  const post = await ann.client.v1.statuses.create({ status: 'the quokka picnic', mediaIds: [media.id] });
  quokka = { id: post.id, mediaUrl: post.mediaAttachments[0]!.url! };
  await bob.client.v1.statuses.$select(post.id).reblog();
  await bob.client.v1.accounts.$select(ann.id).follow();
});
after(async () => {
  await a?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A backup of the running server, taken from its own connection (as `stoa backup` does), to `path`. */
async function backUp(server: TestServer, path: string, passphrase: string | null) {
  const db = openDatabase(server.config.database, createLogger('silent'));
  try {
    const writer = backupWriter(createWriteStream(path), passphrase);
    const counts = await takeBackup(
      db,
      createBlobStore(server.config.blobs),
      { stoa: 'test', domain: server.config.domain, secret: server.config.secret, now: new Date().toISOString() },
      writer.write,
    );
    await writer.finish(counts);
    return counts;
  } finally {
    await db.close();
  }
}

/** Restores `path` into `target` (its media into `dataDir`), as `stoa restore` does. */
async function restoreInto(target: TestDatabase, dataDir: string, path: string, passphrase: string | null, force = false) {
  const config = loadConfig(testEnv(dataDir, target));
  const db: Db = openDatabase(target.config, createLogger('silent'));
  try {
    return await restoreBackup(db, createBlobStore(config.blobs), readBackup(createReadStream(path), passphrase), {
      force,
      checkSecret: () => undefined,
      reindex: (tx, secret) => rebuildSearchIndex(tx, db.engine, secret).then(() => undefined),
    });
  } finally {
    await db.close();
  }
}

describe('a backup', () => {
  it('is taken while posts keep coming, and holds every post acknowledged before it began', async () => {
    let writing = true;
    const load = (async () => {
      for (let i = 0; writing && i < 400; i++) acknowledged.push((await ann.client.v1.statuses.create({ status: `under load ${i}` })).id);
    })();
    while (acknowledged.length < 5) await new Promise((r) => setTimeout(r, 10));
    const before = [...acknowledged];
    const counts = await backUp(a, archive, PASSPHRASE);
    writing = false;
    await load;
    acknowledged.splice(0, acknowledged.length, ...before);
    assert.ok(counts.tables.statuses! >= before.length + 2, `${counts.tables.statuses} statuses`);
    assert.equal(counts.blobs >= 1, true, 'the media files are in it');
    assert.doesNotMatch(readFileSync(archive).toString('latin1'), /quokka/, 'the archive is encrypted');
  });

  it('is checked without restoring: a wrong passphrase, a truncated and an altered file are refused', async () => {
    const summary = await verifyBackup(readBackup(createReadStream(archive), PASSPHRASE));
    assert.equal(summary.manifest.domain, 'stoa.test');
    await assert.rejects(
      verifyBackup(readBackup(createReadStream(archive), 'wrong passphrase')),
      (e: unknown) => e instanceof BackupError && /passphrase/.test(e.message),
    );
    await assert.rejects(verifyBackup(readBackup(createReadStream(archive), null)), /encrypted/);
    const bytes = readFileSync(archive);
    writeFileSync(join(dir, 'cut'), bytes.subarray(0, bytes.length - 200));
    await assert.rejects(verifyBackup(readBackup(createReadStream(join(dir, 'cut')), PASSPHRASE)), BackupError);
    const altered = Buffer.from(bytes);
    altered[Math.floor(altered.length / 2)]! ^= 0x40;
    writeFileSync(join(dir, 'altered'), altered);
    await assert.rejects(verifyBackup(readBackup(createReadStream(join(dir, 'altered')), PASSPHRASE)), BackupError);
    // Unencrypted, when asked for: gzip's check and the trailer's hash still find damage.
    const plain = join(dir, 'plain');
    await backUp(a, plain, null);
    assert.ok((await verifyBackup(readBackup(createReadStream(plain), null))).trailer.tables.statuses! > 0);
    const plainBytes = readFileSync(plain);
    writeFileSync(join(dir, 'plain-cut'), plainBytes.subarray(0, plainBytes.length - 50));
    await assert.rejects(verifyBackup(readBackup(createReadStream(join(dir, 'plain-cut')), null)), BackupError);
  });

  it('restores on the other engine into a server that answers as the original did', async () => {
    // From SQLite to PostgreSQL when both are at hand, from PostgreSQL to SQLite; else SQLite again.
    const target = a.config.database.engine === 'sqlite' && testDatabaseUrl() ? await createTestDatabase() : createSqliteTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'stoa-restored-'));
    let c: TestServer | undefined;
    try {
      const summary = await restoreInto(target, dataDir, archive, PASSPHRASE);
      assert.equal(summary.manifest.engine, a.config.database.engine);
      await assert.rejects(restoreInto(target, dataDir, archive, PASSPHRASE), /not empty/);
      c = await startTestServer({ DATABASE_URL: target.url, STOA_DATA_DIR: dataDir });
      assert.equal(c.config.database.engine, target.config.engine);
      // Every post acknowledged before the backup is there.
      const restoredIds = new Set((await rows(c.app.db, 'statuses')).map((s) => s.id));
      for (const id of acknowledged) assert.ok(restoredIds.has(id), `post ${id} was acknowledged before the backup`);
      // Sign-in with the same password, the repost, the follow, the media file's bytes, search.
      const restoredAnn = await fetch(`${c.url}/api/v1/accounts/lookup?acct=ann`).then((r) => r.json() as Promise<{ id: string }>);
      assert.equal(restoredAnn.id, ann.id);
      const app = await createRestAPIClient({ url: c.url }).v1.apps.create({
        clientName: 'After',
        redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
        scopes: 'read',
      });
      const token = await passwordToken(c.url, app, 'ann', 'ann uses a long password', 'read');
      const shown = (await (
        await fetch(`${c.url}/api/v1/statuses/${quokka.id}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        reblogs_count: number;
        media_attachments: { url: string }[];
      };
      assert.equal(shown.reblogs_count, 1);
      const path = (url: string) => new URL(url).pathname;
      const before = Buffer.from(await (await fetch(`${a.url}${path(quokka.mediaUrl)}`)).arrayBuffer());
      const afterBytes = Buffer.from(await (await fetch(`${c.url}${path(shown.media_attachments[0]!.url)}`)).arrayBuffer());
      assert.ok(before.length > 0);
      assert.deepEqual(afterBytes, before, 'the same bytes');
      const followers = (await (await fetch(`${c.url}/api/v1/accounts/${ann.id}/followers`)).json()) as { username: string }[];
      assert.deepEqual(
        followers.map((f) => f.username),
        ['bob'],
      );
      const found = (await (
        await fetch(`${c.url}/api/v2/search?q=quokka&type=statuses`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { statuses: unknown[] };
      assert.equal(found.statuses.length, 1, 'search finds the post');
    } finally {
      await c?.close();
      if (!c) await target.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the age of the newest verified backup', () => {
  it('is in /ready once backups exist, and admins are told when it is more than a day old', async () => {
    const ready = async () =>
      (await (await fetch(`${a.url}/ready`)).json()) as {
        status: string;
        details?: { backup: { newest_verified: string; stale: boolean } };
      };
    const day = 24 * 3600_000;
    await recordVerifiedBackup(a.app.db, new Date(Date.now() - 2 * day).toISOString(), new Date().toISOString());
    await a.app.services.backups.reload();
    const stale = await ready();
    assert.equal(stale.status, 'ready');
    assert.equal(stale.details?.backup.stale, true);
    await setRole(a.app.db, systemClock, ann.id, 'admin');
    const browser = new TestBrowser(a.url);
    assert.equal((await browser.signIn('ann', 'ann uses a long password')).status, 303);
    assert.match((await browser.page('/admin/moderation/reports')).html, /newest verified backup was taken .* more than a day ago/);
    await recordVerifiedBackup(a.app.db, new Date().toISOString(), new Date().toISOString());
    await a.app.services.backups.reload();
    assert.equal((await ready()).details?.backup.stale, false);
    assert.doesNotMatch((await browser.page('/admin/moderation/reports')).html, /more than a day ago/);
  });
});

describe('scheduled backups', () => {
  it('are taken by the worker role when due, read back whole, recorded, and only the newest kept', async () => {
    const backupDir = join(dir, 'scheduled');
    const config = loadConfig(
      testEnv(a.config.dataDir, a.database, {
        STOA_BACKUP_DIR: backupDir,
        STOA_BACKUP_PASSPHRASE: PASSPHRASE,
        STOA_BACKUP_KEEP: '1',
        STOA_BACKUP_EVERY_HOURS: '24',
      }),
    );
    assert.throws(() => loadConfig(testEnv(a.config.dataDir, a.database, { STOA_BACKUP_DIR: backupDir })), /STOA_BACKUP_PASSPHRASE/);
    assert.equal(backupDue(config, Date.now), true, 'due when there is none');
    const deps = { config, db: a.app.db, blobs: createBlobStore(config.blobs), clock: Date.now, logger: createLogger('silent') };
    const first = await runScheduledBackup(deps);
    assert.equal(backupDue(config, Date.now), false);
    assert.equal(
      backupDue(config, () => Date.now() + 25 * 3600_000),
      true,
      'due again after a day',
    );
    await new Promise((r) => setTimeout(r, 5));
    const second = await runScheduledBackup(deps);
    assert.notEqual(second, first);
    assert.deepEqual(readdirSync(backupDir), [basename(second)], 'only the newest is kept');
    assert.ok((await verifyBackup(readBackup(createReadStream(second), PASSPHRASE))).trailer.tables.statuses! > 0);
    const recorded = await a.app.db.read
      .selectFrom('server_settings')
      .select('value')
      .where('name', '=', 'backup_verified_at')
      .executeTakeFirst();
    assert.equal(
      recorded?.value,
      basename(second)
        .slice('stoa-'.length, -'.backup'.length)
        .replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z'),
    );
  });

  it('are copied to a bucket when one is set, keeping the newest there too', async () => {
    const s3 = await startTestS3();
    try {
      const backupDir = join(dir, 'scheduled-bucket');
      const url = new URL(s3.endpoint);
      url.username = 'S3RVER';
      url.password = 'S3RVER';
      url.pathname = `/${s3.bucket}`;
      const env = {
        STOA_BACKUP_DIR: backupDir,
        STOA_BACKUP_PASSPHRASE: PASSPHRASE,
        STOA_BACKUP_KEEP: '2',
        STOA_BACKUP_S3_URL: url.toString(),
      };
      assert.throws(
        () => loadConfig(testEnv(a.config.dataDir, a.database, { ...env, STOA_BACKUP_DIR: undefined })),
        /STOA_BACKUP_S3_URL needs STOA_BACKUP_DIR/,
      );
      const config = loadConfig(testEnv(a.config.dataDir, a.database, env));
      const deps = { config, db: a.app.db, blobs: createBlobStore(config.blobs), clock: Date.now, logger: createLogger('silent') };
      const written: string[] = [];
      for (let i = 0; i < 3; i++) {
        written.push(await runScheduledBackup(deps));
        await new Promise((r) => setTimeout(r, 5));
      }
      const bucket = s3FileBucket(config.backup.bucket!);
      assert.deepEqual(
        await bucket.list('stoa-'),
        written.slice(1).map((p) => basename(p)),
        'the newest two are in the bucket',
      );
      // What is in the bucket is the backup itself: it reads whole with the passphrase.
      const stream = await bucket.download(basename(written[2]!));
      const summary = await verifyBackup(readBackup(Readable.fromWeb(stream! as never), PASSPHRASE));
      assert.ok(summary.trailer.tables.statuses! > 0);
      // A file larger than a part goes up in several parts, and comes back the same bytes.
      const size = statSync(written[2]!).size;
      const small = s3FileBucket(config.backup.bucket!, { partBytes: Math.ceil(size / 3) });
      await small.upload('stoa-parts.backup', written[2]!);
      const back = Buffer.from(await new Response(await small.download('stoa-parts.backup')).arrayBuffer());
      assert.ok(back.equals(readFileSync(written[2]!)), `${size} bytes in 3 parts`);
    } finally {
      await s3.close();
    }
  });
});
