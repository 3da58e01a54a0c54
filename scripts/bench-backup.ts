// `npm run bench:backup`: how fast a backup is taken, checked and restored, on the benchmark data set
// (BENCH_USERS, default 20000; BENCH_STATUSES, default 1000000), encrypted as by default. Restores into
// SQLite, and into PostgreSQL too when BENCH_DATABASE_URL names a server (a new database is made there);
// then moves each restored server to a new domain (stoa domain move).
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app/create-app.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { backupWriter, readBackup } from '../src/storage/backup/archive.ts';
import { restoreBackup, takeBackup, verifyBackup } from '../src/storage/backup/backup.ts';
import { createBlobStore } from '../src/storage/blobs/create-blob-store.ts';
import { openDatabase } from '../src/storage/db/database.ts';
import { moveServerDomain } from '../src/domain/instance/domain-move.ts';
import { systemClock } from '../src/lib/clock.ts';
import { generate } from './bench/generate.ts';

const env = process.env;
const sizes = { users: Number(env.BENCH_USERS ?? 20_000), statuses: Number(env.BENCH_STATUSES ?? 1_000_000) };
const log = (line: string) => console.log(line);
const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-backup-'));
const secret = 'bench-secret-that-is-long-enough-for-stoa-0123456789';
const passphrase = 'bench passphrase';
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  log(`${what}: ${seconds.toFixed(1)} s`);
  return { value, seconds };
}

try {
  const dbPath = join(dir, 'source.sqlite');
  const config = loadConfig(
    {
      DATABASE_URL: `sqlite:${dbPath}`,
      STOA_SECRET: secret,
      STOA_DOMAIN: 'bench.test',
      STOA_DATA_DIR: join(dir, 'data'),
      STOA_LOG_LEVEL: 'silent',
    },
    dir,
  );
  await (await createApp(config)).close();
  log(`Generating ${sizes.users} users and ${sizes.statuses} statuses...`);
  await generate(dbPath, secret, 'http://bench.test', sizes, log);

  // Memory is measured from here: what the backup, the check and the restores add to what the process held.
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  peakRss = baseline;
  const archive = join(dir, 'bench.backup');
  const source = openDatabase(config.database, createLogger('silent'));
  const backup = await timed('backup (encrypted)', async () => {
    const writer = backupWriter(createWriteStream(archive), passphrase);
    const counts = await takeBackup(
      source,
      createBlobStore(config.blobs),
      { stoa: 'bench', domain: 'bench.test', secret, now: new Date().toISOString() },
      writer.write,
    );
    await writer.finish(counts);
    return counts;
  });
  await source.close();
  const rows = Object.values(backup.value.tables).reduce((a, b) => a + b, 0);
  const bytes = statSync(archive).size;
  const verify = await timed('verify', () => verifyBackup(readBackup(createReadStream(archive), passphrase)));

  const targets: { name: string; url: string; drop?: () => Promise<void> }[] = [
    { name: 'SQLite', url: `sqlite:${join(dir, 'restored.sqlite')}` },
  ];
  if (env.BENCH_DATABASE_URL) {
    const name = `stoa_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: env.BENCH_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(env.BENCH_DATABASE_URL);
    url.pathname = `/${name}`;
    targets.push({
      name: 'PostgreSQL',
      url: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: env.BENCH_DATABASE_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    });
  }
  const restores: { name: string; seconds: number; moveSeconds: number }[] = [];
  for (const target of targets) {
    const targetConfig = loadConfig(
      {
        DATABASE_URL: target.url,
        STOA_SECRET: secret,
        STOA_DOMAIN: 'bench.test',
        STOA_DATA_DIR: join(dir, `data-${target.name}`),
        STOA_LOG_LEVEL: 'silent',
      },
      dir,
    );
    const db = openDatabase(targetConfig.database, createLogger('silent'));
    try {
      const { seconds } = await timed(`restore into ${target.name}`, () =>
        restoreBackup(db, createBlobStore(targetConfig.blobs), readBackup(createReadStream(archive), passphrase), {
          force: false,
          checkSecret: () => undefined,
          reindex: () => Promise.resolve(),
        }),
      );
      const move = await timed(`stoa domain move on ${target.name}`, () =>
        moveServerDomain(db, systemClock, { domain: 'moved.test', publicUrl: 'https://moved.test' }),
      );
      restores.push({ name: target.name, seconds, moveSeconds: move.seconds });
    } finally {
      await db.close();
      await target.drop?.();
    }
  }
  log('');
  log(`| step | time | throughput |`);
  log(`|---|---|---|`);
  log(
    `| backup (${rows} rows, ${backup.value.blobs} files) | ${backup.seconds.toFixed(1)} s | ${Math.round(rows / backup.seconds)} rows/s, ${(bytes / 1048576 / backup.seconds).toFixed(1)} MB/s written |`,
  );
  log(`| verify | ${verify.seconds.toFixed(1)} s | ${Math.round(rows / verify.seconds)} rows/s |`);
  for (const r of restores) {
    log(`| restore into ${r.name} (without the search index) | ${r.seconds.toFixed(1)} s | ${Math.round(rows / r.seconds)} rows/s |`);
    log(`| stoa domain move on ${r.name} | ${r.moveSeconds.toFixed(1)} s | ${Math.round(rows / r.moveSeconds)} rows/s |`);
  }
  log(
    `archive: ${(bytes / 1048576).toFixed(1)} MB; memory: ${Math.round(baseline / 1048576)} MB before the backup, at most ${Math.round((peakRss - baseline) / 1048576)} MB more while backing up, checking and restoring`,
  );
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
