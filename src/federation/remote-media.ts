import { isoAt, type Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { uuid7 } from '../lib/uuid7.ts';
import type { AccountRow } from '../domain/accounts/accounts.repo.ts';
import type { Changes } from '../domain/changes.ts';
import { scheduleBlobDeletion } from '../domain/media/media.repo.ts';
import type { MediaService } from '../domain/media/media.service.ts';
import type { Db } from '../storage/db/database.ts';
import { DbMessageQueue } from '../storage/queue/db-message-queue.ts';
import type { SafeFetch } from './safe-fetch.ts';

/** A remote post's attachment, as its server describes it. */
export interface RemoteAttachment {
  readonly url: string;
  readonly description: string | null;
}

type Job =
  | { readonly kind: 'attachment'; readonly mediaId: string; readonly statusId: string; readonly url: string }
  | { readonly kind: 'avatar' | 'header'; readonly accountId: string; readonly url: string };

/** Attachments kept per remote post; Mastodon allows four. */
const MAX_ATTACHMENTS = 4;

/**
 * Media from other servers: fetched through the SSRF guard by the workers (never while an activity is
 * handled), then re-encoded and stripped by the same pipeline as uploads, under the same limits, and
 * served from this server. Nothing of the original file is served as it came.
 */
export function remoteMedia(deps: { db: Db; clock: Clock; media: MediaService; fetch: SafeFetch; changes: Changes; logger: Logger }) {
  const { db, clock, media, changes } = deps;
  const queue = new DbMessageQueue(db, clock, { channel: 'remote-media', pollMs: 1000, concurrency: 2, logger: deps.logger });

  async function download(url: string): Promise<Uint8Array> {
    const response = await deps.fetch(url, { headers: { accept: 'image/*, video/*, audio/*' } });
    if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async function run(job: Job): Promise<void> {
    if (job.kind === 'attachment') {
      try {
        await media.ingest(job.mediaId, await download(job.url));
      } catch (error) {
        deps.logger.info({ err: error, url: job.url }, 'a remote attachment could not be fetched');
        await db.transaction((tx) =>
          tx
            .updateTable('media_attachments')
            .set({ state: 'failed', error: 'the file could not be fetched', updated_at: isoAt(clock) })
            .where('id', '=', job.mediaId)
            .where('state', '=', 'processing')
            .execute(),
        );
      }
      changes.emit({ kind: 'statuses', ids: [job.statusId] });
      return;
    }
    const key = await media.profileImage(await download(job.url), job.kind);
    const column = job.kind === 'avatar' ? 'avatar_key' : 'header_key';
    const source = job.kind === 'avatar' ? 'avatar_remote_url' : 'header_remote_url';
    await db.transaction(async (tx) => {
      const current = await tx.selectFrom('accounts').select([column, source]).where('id', '=', job.accountId).executeTakeFirst();
      // Superseded by a newer image meanwhile (or the account is gone): this one is not kept.
      if (!current || current[source] !== job.url) return scheduleBlobDeletion(tx, [key], isoAt(clock));
      await tx
        .updateTable('accounts')
        .set({ [column]: key })
        .where('id', '=', job.accountId)
        .execute();
      await scheduleBlobDeletion(tx, [current[column]], isoAt(clock));
    });
    await media.flush();
    changes.emit({ kind: 'accounts', ids: [job.accountId] });
  }

  return {
    /** Records a remote post's attachments (in order, up to four) and queues fetching them. */
    async attachments(statusId: string, authorId: string, attachments: readonly RemoteAttachment[]): Promise<void> {
      const now = isoAt(clock);
      const rows = attachments.slice(0, MAX_ATTACHMENTS).map((a, position) => ({
        id: uuid7(clock()),
        account_id: authorId,
        status_id: statusId,
        position,
        type: 'image' as const, // until processed: the pipeline tells what it is
        state: 'processing' as const,
        error: null,
        file_key: null,
        file_size: null,
        preview_key: null,
        meta: null,
        blurhash: null,
        description: a.description?.slice(0, 1500) ?? null,
        created_at: now,
        updated_at: now,
      }));
      if (!rows.length) return;
      await db.transaction((tx) => tx.insertInto('media_attachments').values(rows).execute());
      for (const [i, row] of rows.entries())
        await queue.enqueue({ kind: 'attachment', mediaId: row.id, statusId, url: attachments[i]!.url } satisfies Job);
    },

    /** Queues fetching a remote account's avatar and header when they changed; forgets removed ones. */
    async profileImages(account: AccountRow, avatarUrl: string | null, headerUrl: string | null): Promise<void> {
      for (const [kind, url, current, key] of [
        ['avatar', avatarUrl, account.avatar_remote_url, 'avatar_key'],
        ['header', headerUrl, account.header_remote_url, 'header_key'],
      ] as const) {
        if (url === current) continue;
        const source = kind === 'avatar' ? 'avatar_remote_url' : 'header_remote_url';
        await db.transaction(async (tx) => {
          await tx
            .updateTable('accounts')
            .set(url ? { [source]: url } : { [source]: null, [key]: null })
            .where('id', '=', account.id)
            .execute();
          if (!url) await scheduleBlobDeletion(tx, [account[key]], isoAt(clock));
        });
        if (url) await queue.enqueue({ kind, accountId: account.id, url } satisfies Job);
      }
    },

    /** Removes the files of attachments deleted since (after the deleting transaction committed). */
    flush: () => media.flush(),

    /** Runs the fetching until `signal` aborts. */
    listen(signal: AbortSignal): Promise<void> {
      return queue.listen(
        async (job) => {
          try {
            await run(job as Job);
          } catch (error) {
            deps.logger.info({ err: error }, 'remote media could not be fetched');
          }
        },
        { signal },
      );
    },
  };
}

export type RemoteMedia = ReturnType<typeof remoteMedia>;
