import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Logger } from '../../lib/logger.ts';
import type { BlobStore } from '../../storage/blobs/blob-store.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { MediaAttachmentsTable } from '../../storage/db/schema.ts';
import { Invalid } from '../errors.ts';
import { queueJob } from '../jobs.ts';
import type { Unit } from '../unit-of-work.ts';

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

/** An attachment by id, if it belongs to the account. */
export function findMedia(db: DbReader, accountId: string, id: string): Promise<MediaRow | undefined> {
  return db.selectFrom('media_attachments').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
}

/** A new attachment: whose it is, what it will show and where; the rest is the pipeline's to fill. */
export type NewMedia = Pick<Insertable<MediaAttachmentsTable>, 'id' | 'account_id' | 'status_id' | 'type'> &
  Partial<Pick<Insertable<MediaAttachmentsTable>, 'position' | 'description' | 'focus_x' | 'focus_y'>>;

/** Records new attachments as being processed (uploads kept aside, or remote files to fetch). */
export async function insertMedia(unit: Unit, media: readonly NewMedia[]): Promise<void> {
  if (!media.length) return;
  const unprocessed = {
    state: 'processing',
    error: null,
    file_key: null,
    file_size: null,
    preview_key: null,
    meta: null,
    blurhash: null,
  } as const;
  await unit.tx
    .insertInto('media_attachments')
    .values(media.map((m) => ({ description: null, ...unprocessed, ...m, created_at: unit.now, updated_at: unit.now })))
    .execute();
  const statuses = [...new Set(media.flatMap((m) => (m.status_id ? [m.status_id] : [])))];
  if (statuses.length) unit.changed({ kind: 'statuses', ids: statuses });
}

/**
 * Changes an attachment (its processing result, description or focus); with `onlyIf`, only while it is in
 * that state. Returns whether a row changed; the status showing it is told.
 */
export async function updateMedia(
  unit: Unit,
  id: string,
  values: Updateable<MediaAttachmentsTable>,
  onlyIf?: MediaRow['state'],
): Promise<boolean> {
  let query = unit.tx
    .updateTable('media_attachments')
    .set({ ...values, updated_at: unit.now })
    .where('id', '=', id);
  if (onlyIf) query = query.where('state', '=', onlyIf);
  const updated = await query.returning('status_id').executeTakeFirst();
  if (updated?.status_id) unit.changed({ kind: 'statuses', ids: [updated.status_id] });
  return updated !== undefined;
}

/** Uploads older than `cutoff` that never became part of a status, or never became ready. */
export async function staleMediaIds(db: DbReader, cutoff: string): Promise<string[]> {
  const rows = await db
    .selectFrom('media_attachments')
    .select('id')
    .where('created_at', '<=', cutoff)
    .where('scheduled_status_id', 'is', null)
    .where((w) => w.or([w('status_id', 'is', null), w('state', '!=', 'ready')]))
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Queues files for removal from the blob store, in the command that forgets them: their keys are kept
 * (so that a failed removal is retried by the cleanup) and a job removes exactly these once it commits.
 */
export async function scheduleBlobDeletion(unit: Unit, keys: readonly (string | null)[]): Promise<void> {
  const present = [...new Set(keys.filter((k): k is string => k !== null))];
  if (!present.length) return;
  await unit.tx
    .insertInto('blob_deletions')
    .values(present.map((key) => ({ key, created_at: unit.now })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  await queueJob(unit, { kind: 'delete-blobs', keys: present });
}

/** Deletes attachments: their rows now, their files once the command commits. Returns how many went. */
export async function forgetMedia(
  unit: Unit,
  where: { statusIds?: readonly string[]; accountId?: string; ids?: readonly string[] },
): Promise<number> {
  let query = unit.tx.selectFrom('media_attachments').select(['id', 'file_key', 'preview_key', 'status_id']);
  if (where.statusIds) query = where.statusIds.length ? query.where('status_id', 'in', [...where.statusIds]) : query.where('id', '=', '');
  if (where.accountId) query = query.where('account_id', '=', where.accountId);
  if (where.ids) query = where.ids.length ? query.where('id', 'in', [...where.ids]) : query.where('id', '=', '');
  const rows = await query.execute();
  if (!rows.length) return 0;
  await scheduleBlobDeletion(
    unit,
    rows.flatMap((r) => [r.file_key, r.preview_key]),
  );
  await unit.tx
    .deleteFrom('media_attachments')
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const statuses = [...new Set(rows.flatMap((r) => (r.status_id ? [r.status_id] : [])))];
  if (statuses.length) unit.changed({ kind: 'statuses', ids: statuses });
  return rows.length;
}

/** Keys queued for removal: the given ones that are still queued, or the oldest (the backlog), up to `limit`. */
export async function pendingBlobDeletions(db: DbReader, options: { keys?: readonly string[]; limit: number }): Promise<string[]> {
  let query = db.selectFrom('blob_deletions').select('key').orderBy('created_at').limit(options.limit);
  if (options.keys) {
    if (!options.keys.length) return [];
    query = query.where('key', 'in', [...options.keys]);
  }
  return (await query.execute()).map((r) => r.key);
}

/**
 * Removes queued files from the blob store: `keys` (those a command just forgot) or else the oldest of the
 * backlog. A file that cannot be removed now stays queued for the cleanup to try again, and is logged.
 * Returns how many went.
 */
export async function deleteQueuedBlobs(db: Db, blobs: BlobStore, log: Logger, keys?: readonly string[]): Promise<number> {
  const pending = await pendingBlobDeletions(db.read, { keys, limit: 1000 });
  const done: string[] = [];
  for (const key of pending) {
    try {
      await blobs.delete(key);
      done.push(key);
    } catch (error) {
      log.warn(
        { key, err: error instanceof Error ? error.message : String(error) },
        'a media file could not be removed; it will be tried again',
      );
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
export async function attachMedia(
  unit: Unit,
  accountId: string,
  statusId: string,
  ids: readonly string[],
  scheduledId: string | null = null,
): Promise<string[]> {
  const { tx } = unit;
  const wanted = await checkAttachable(tx, accountId, ids, { statusId, scheduledId });
  const before = await tx.selectFrom('media_attachments').select('id').where('status_id', '=', statusId).execute();
  for (const [position, id] of wanted.entries()) {
    await tx.updateTable('media_attachments').set({ status_id: statusId, position }).where('id', '=', id).execute();
  }
  unit.changed({ kind: 'statuses', ids: [statusId] });
  return before.map((r) => r.id).filter((id) => !wanted.includes(id));
}

/**
 * Checks that uploads may go on one post, in this order: the account's own, processed, on no other status
 * and kept for no other scheduled post (`statusId` and `scheduledId` name the post they may already be
 * on). At most four, or one video or audio. Returns the ids.
 */
export async function checkAttachable(
  db: DbReader,
  accountId: string,
  ids: readonly string[],
  own: { statusId?: string | null; scheduledId?: string | null } = {},
): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length !== ids.length) problem('the same file is attached twice');
  if (wanted.length > MAX_ATTACHMENTS) problem(`at most ${MAX_ATTACHMENTS} files can be attached`);
  const rows = wanted.length
    ? await db.selectFrom('media_attachments').selectAll().where('id', 'in', wanted).where('account_id', '=', accountId).execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of wanted) {
    const row = byId.get(id);
    if (
      !row ||
      (row.status_id !== null && row.status_id !== own.statusId) ||
      (row.scheduled_status_id !== null && row.scheduled_status_id !== own.scheduledId)
    )
      problem(`file ${id} is not one of your unattached uploads`);
    if (row!.state === 'processing') problem(`file ${id} is still being processed; try again in a moment`);
    if (row!.state !== 'ready') problem(`file ${id} could not be processed`);
  }
  if (wanted.length > 1 && rows.some((r) => r.type === 'video' || r.type === 'audio'))
    problem('a video or audio file must be the only attachment');
  return wanted;
}

/** Attachments still being processed (after a restart, those whose processing was cut short). */
export function processingMedia(db: DbReader): Promise<{ id: string }[]> {
  return db.selectFrom('media_attachments').select('id').where('state', '=', 'processing').execute();
}
