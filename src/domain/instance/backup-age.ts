import type { Db } from '../../storage/db/database.ts';
import { recordServerSetting } from './server-settings.repo.ts';

/** A server whose newest verified backup is older than this is told so (log, admins, `/ready`). */
export const BACKUP_STALE_MS = 24 * 3600_000;

/** Records that a backup taken at `takenAt` was written and read back whole. */
export async function recordVerifiedBackup(db: Db, takenAt: string, now: string): Promise<void> {
  await db.transaction((tx) => recordServerSetting(tx, 'backup_verified_at', takenAt, now));
}

/** What the server says of its backups: nothing before the first one, then when the newest was and whether it is too old. */
export function backupStanding(verifiedAt: string | null, now: number): { newestVerified: string; stale: boolean } | null {
  if (verifiedAt === null) return null;
  return { newestVerified: verifiedAt, stale: now - Date.parse(verifiedAt) > BACKUP_STALE_MS };
}
