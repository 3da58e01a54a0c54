import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Db } from '../db/database.ts';
import { backupWriter, readBackup, type BackupTrailer } from './archive.ts';
import { takeBackup, verifyBackup } from './backup.ts';

/**
 * Writes a backup to `path`: first as `<path>.partial` (readable by its owner alone), then read back whole
 * and only then given its name, so that a file with the name is always a verified backup.
 */
export async function backupToFile(
  db: Db,
  blobs: BlobStore,
  about: { stoa: string; domain: string; secret: string; now: string },
  path: string,
  passphrase: string | null,
): Promise<Omit<BackupTrailer, 'kind' | 'sha256'>> {
  const partial = `${path}.partial`;
  try {
    const writer = backupWriter(createWriteStream(partial, { mode: 0o600 }), passphrase);
    const counts = await takeBackup(db, blobs, about, writer.write);
    await writer.finish(counts);
    await verifyBackup(readBackup(createReadStream(partial), passphrase));
    renameSync(partial, path);
    return counts;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
