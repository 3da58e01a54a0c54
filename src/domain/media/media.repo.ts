import type { Selectable } from 'kysely';
import type { BlobStore } from '../../storage/blobs/blob-store.ts';
import type { Db, DbReader, DbWriter } from '../../storage/db/database.ts';
import type { MediaAttachmentsTable } from '../../storage/db/schema.ts';
import { Invalid } from '../errors.ts';

export type MediaRow = Selectable<MediaAttachmentsTable>;

/** At most this many attachments on one status (or one video or audio file). */
export const MAX_ATTACHMENTS = 4;

/** The attachments of each of `statusIds`, in their order on the status. */
export async function mediaOfStatuses(db: DbReader, statusIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
  const byStatus = new Map<string, MediaRow[]>();
  if (!statusIds.length) return byStatus;
  const rows = await db
    .selectFrom('media_attachments')
    .selectAll()
    .where('status_id', 'in', [...statusIds])
    .orderBy('position')
    .orderBy('id')
    .execute();
  for (const row of rows) byStatus.set(row.status_id!, [...(byStatus.get(row.status_id!) ?? []), row]);
  return byStatus;
}

/** Queues files for removal from the blob store, in the transaction that forgets them. */
export async function scheduleBlobDeletion(tx: DbWriter, keys: readonly (string | null)[], now: string): Promise<void> {
  const present = [...new Set(keys.filter((k): k is string => k !== null))];
  if (!present.length) return;
  await tx
    .insertInto('blob_deletions')
    .values(present.map((key) => ({ key, created_at: now })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Deletes attachments (rows now, files once the transaction commits and `flushBlobDeletions` runs). */
export async function forgetMedia(
  tx: DbWriter,
  where: { statusIds?: readonly string[]; accountId?: string; ids?: readonly string[] },
  now: string,
): Promise<number> {
  let query = tx.selectFrom('media_attachments').select(['id', 'file_key', 'preview_key']);
  if (where.statusIds) query = where.statusIds.length ? query.where('status_id', 'in', [...where.statusIds]) : query.where('id', '=', '');
  if (where.accountId) query = query.where('account_id', '=', where.accountId);
  if (where.ids) query = where.ids.length ? query.where('id', 'in', [...where.ids]) : query.where('id', '=', '');
  const rows = await query.execute();
  if (!rows.length) return 0;
  await scheduleBlobDeletion(
    tx,
    rows.flatMap((r) => [r.file_key, r.preview_key]),
    now,
  );
  await tx
    .deleteFrom('media_attachments')
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.length;
}

/** Removes queued files from the blob store; those it cannot remove now stay queued for the next try. */
export async function flushBlobDeletions(db: Db, blobs: BlobStore, limit = 1000): Promise<number> {
  const pending = await db.read.selectFrom('blob_deletions').select('key').orderBy('created_at').limit(limit).execute();
  const done: string[] = [];
  for (const { key } of pending) {
    try {
      await blobs.delete(key);
      done.push(key);
    } catch {
      // The store is unreachable: the key stays queued and the cleanup job tries again.
    }
  }
  if (done.length) await db.transaction((tx) => tx.deleteFrom('blob_deletions').where('key', 'in', done).execute());
  return done.length;
}

const problem = (description: string): never => {
  throw new Invalid(`Validation failed: ${description}`, { media_ids: [{ error: 'ERR_INVALID', description }] });
};

/**
 * Attaches the account's processed uploads to a status, in the order given, and returns the ids of those
 * it had before and no longer has (an edit that drops a file). At most four images, or one video or audio.
 */
export async function attachMedia(tx: DbWriter, accountId: string, statusId: string, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length !== ids.length) problem('the same file is attached twice');
  if (wanted.length > MAX_ATTACHMENTS) problem(`at most ${MAX_ATTACHMENTS} files can be attached`);
  const rows = wanted.length
    ? await tx.selectFrom('media_attachments').selectAll().where('id', 'in', wanted).where('account_id', '=', accountId).execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of wanted) {
    const row = byId.get(id);
    if (!row || (row.status_id !== null && row.status_id !== statusId)) problem(`file ${id} is not one of your unattached uploads`);
    if (row!.state === 'processing') problem(`file ${id} is still being processed; try again in a moment`);
    if (row!.state !== 'ready') problem(`file ${id} could not be processed`);
  }
  if (wanted.length > 1 && rows.some((r) => r.type === 'video' || r.type === 'audio'))
    problem('a video or audio file must be the only attachment');
  const before = await tx.selectFrom('media_attachments').select('id').where('status_id', '=', statusId).execute();
  for (const [position, id] of wanted.entries())
    await tx.updateTable('media_attachments').set({ status_id: statusId, position }).where('id', '=', id).execute();
  return before.map((r) => r.id).filter((id) => !wanted.includes(id));
}
