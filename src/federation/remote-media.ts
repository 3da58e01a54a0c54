import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { AccountService } from '../domain/accounts/accounts.service.ts';
import type { EmojiCommands } from '../domain/emoji/custom-emojis.ts';
import type { MediaService } from '../domain/media/media.service.ts';
import { REMOTE_MEDIA_CHANNEL, type RemoteMediaJob } from '../domain/media/remote-media-jobs.ts';
import type { Db } from '../storage/db/database.ts';
import { DbMessageQueue } from '../storage/queue/db-message-queue.ts';
import type { SafeFetch } from './safe-fetch.ts';

/**
 * Media from other servers, queued by the domain as remote posts and accounts arrive: fetched through the
 * SSRF guard by the workers (never while an activity is handled), then re-encoded and stripped by the same
 * pipeline as uploads, under the same limits, and served from this server. Nothing of the original file is
 * served as it came.
 */
export function remoteMedia(deps: {
  db: Db;
  clock: Clock;
  media: MediaService;
  accounts: AccountService;
  emojis: EmojiCommands;
  fetch: SafeFetch;
  logger: Logger;
}) {
  const { media, accounts } = deps;
  const queue = new DbMessageQueue(deps.db, deps.clock, {
    channel: REMOTE_MEDIA_CHANNEL,
    pollMs: 1000,
    concurrency: 2,
    logger: deps.logger,
  });

  async function download(url: string): Promise<Uint8Array> {
    const response = await deps.fetch(url, { headers: { accept: 'image/*, video/*, audio/*' } });
    if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async function run(job: RemoteMediaJob): Promise<void> {
    if (job.kind === 'attachment') {
      let bytes: Uint8Array;
      try {
        bytes = await download(job.url);
      } catch (error) {
        deps.logger.info({ err: error, url: job.url }, 'a remote attachment could not be fetched');
        return media.fetchFailed(job.mediaId);
      }
      return media.ingest(job.mediaId, bytes);
    }
    if (job.kind === 'emoji')
      return deps.emojis.storeRemoteImage(job.emojiId, job.url, job.owner, await media.emojiImage(await download(job.url)));
    const key = await media.profileImage(await download(job.url), job.kind);
    await accounts.storeRemoteImage(job.accountId, job.kind, job.url, key);
  }

  return {
    /** Wakes the listener in this process (a command queued a file in it). */
    wake: () => queue.wake(),

    /** Runs the fetching until `signal` aborts. */
    listen(signal: AbortSignal): Promise<void> {
      return queue.listen(
        async (job) => {
          try {
            await run(job as RemoteMediaJob);
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
