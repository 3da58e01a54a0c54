import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config/index.ts';
import { STOA_VERSION } from '../config/version.ts';
import { recordVerifiedBackup } from '../domain/instance/backup-age.ts';
import type { Clock } from '../lib/clock.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { backupToFile } from '../storage/backup/backup-file.ts';
import type { BlobStore } from '../storage/blobs/blob-store.ts';
import { s3FileBucket, type S3FileBucket } from '../storage/blobs/s3-blob-store.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';

const NAME = /^stoa-[\dTZ-]+\.backup$/;

/** The scheduled backups in the folder, oldest first. */
function scheduledBackups(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => NAME.test(name))
      .sort();
  } catch {
    return [];
  }
}

/** Whether the newest scheduled backup is older than the schedule (or there is none). */
export function backupDue(config: Pick<Config, 'backup'>, clock: Clock): boolean {
  const { dir, everyHours } = config.backup;
  if (dir === null) return false;
  const newest = scheduledBackups(dir).at(-1);
  return newest === undefined || clock() - statSync(join(dir, newest)).mtimeMs >= everyHours * 3600_000;
}

/**
 * Takes a scheduled backup into `STOA_BACKUP_DIR` (named by its time, encrypted, read back whole), records
 * it as the newest verified backup, and removes the oldest beyond `STOA_BACKUP_KEEP`. The database is read
 * through a connection of its own, so that the server's keep answering meanwhile. Returns the file's path.
 */
export async function runScheduledBackup(deps: {
  config: Config;
  db: Db;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
}): Promise<string> {
  const { config } = deps;
  const dir = config.backup.dir!;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = new Date(deps.clock()).toISOString();
  const path = join(dir, `stoa-${now.replace(/[:.]/g, '-')}.backup`);
  const own = openDatabase(config.database, createLogger('silent'));
  try {
    const counts = await backupToFile(
      own,
      deps.blobs,
      { stoa: STOA_VERSION, domain: config.domain, secret: config.secret, now },
      path,
      config.backup.passphrase,
    );
    await recordVerifiedBackup(deps.db, now, now);
    const rows = Object.values(counts.tables).reduce((a, b) => a + b, 0);
    deps.logger.info({ job: 'backup', file: path, rows, files: counts.blobs }, 'scheduled backup written and verified');
  } finally {
    await own.close();
  }
  const all = scheduledBackups(dir);
  for (const old of all.slice(0, Math.max(0, all.length - config.backup.keep))) rmSync(join(dir, old), { force: true });
  if (config.backup.bucket) await copyToBucket(s3FileBucket(config.backup.bucket), path, config.backup.keep, deps.logger);
  return path;
}

/**
 * Copies a verified backup to the bucket (off the host: a server that loses its disk keeps its backups),
 * then removes the oldest there beyond `keep`. A failure is logged; the backup on disk stands.
 */
async function copyToBucket(bucket: S3FileBucket, path: string, keep: number, logger: Logger): Promise<void> {
  const name = basename(path);
  try {
    await bucket.upload(name, path);
    const all = (await bucket.list('stoa-')).filter((n) => NAME.test(n));
    for (const old of all.slice(0, Math.max(0, all.length - keep))) await bucket.remove(old);
    logger.info({ job: 'backup', bucket: name }, 'scheduled backup copied to the bucket');
  } catch (error) {
    logger.error(
      { job: 'backup', err: error instanceof Error ? error.message : String(error) },
      'the backup could not be copied to the bucket',
    );
  }
}
