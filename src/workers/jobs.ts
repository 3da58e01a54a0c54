import type { AccountImports, ArchiveMedia } from '../domain/accounts/imports.ts';
import { onQueued, type Changes } from '../domain/changes.ts';
import { JOBS_CHANNEL, type Job } from '../domain/jobs.ts';
import type { PollCommands } from '../domain/polls/polls.ts';
import type { StatusService } from '../domain/statuses/statuses.service.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Db } from '../storage/db/database.ts';
import { DbMessageQueue } from '../storage/queue/db-message-queue.ts';

/** What the domain's jobs need: the database, the blob store's cleaner, the commands they finish, the network. */
export interface JobDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly changes: Changes;
  readonly logger: Logger;
  readonly statuses: StatusService;
  /** Removes a suspended account's content for good. */
  readonly purgeAccount: (accountId: string) => Promise<void>;
  /** Removes these files from the blob store (logging those it cannot). */
  readonly deleteBlobs: (keys: readonly string[]) => Promise<unknown>;
  /** Mails a password-reset link if the address has an account. */
  readonly sendPasswordReset: (email: string) => Promise<void>;
  /** Looks up a remote account by handle on its server (WebFinger); null if it cannot be. */
  readonly resolve: (handle: string) => Promise<unknown>;
  /** Polls' ends and their counts told to other servers. */
  readonly polls: Pick<PollCommands, 'end' | 'sendTally'>;
  /** Applies a member's import. */
  readonly imports: Pick<AccountImports, 'apply' | 'applyArchive'>;
  /** The media pipeline an archive's files go through. */
  readonly media: ArchiveMedia;
  /** Fetches a post's link for its preview card and shows it. */
  readonly fetchCard: (statusId: string, url: string) => Promise<void>;
}

/** Remote accounts looked up for one post, at most (the rest of its unknown mentions stay text). */
const LOOKUPS_PER_POST = 5;

/**
 * The worker of the domain's background jobs (`domain/jobs.ts`): what commands leave for later so that no
 * request waits on another server, on the blob store or on a loop over many followers.
 */
export function jobWorker(deps: JobDeps) {
  const log = deps.logger.child({ category: 'jobs' });
  const queue = new DbMessageQueue(deps.db, deps.clock, { channel: JOBS_CHANNEL, pollMs: 500, concurrency: 2, logger: log });
  onQueued(deps.changes, JOBS_CHANNEL, () => queue.wake());

  async function run(job: Job): Promise<void> {
    switch (job.kind) {
      case 'delete-blobs':
        await deps.deleteBlobs(job.keys);
        return;
      case 'purge-deleted':
        // One purge covers every deletion committed before it: the requests still waiting are dropped.
        await queue.discard(job);
        await deps.db.purge();
        return;
      case 'purge-account':
        await deps.purgeAccount(job.accountId);
        return;
      case 'password-reset':
        await deps.sendPasswordReset(job.email);
        return;
      case 'notify-subscribers':
        await deps.statuses.notifySubscribers(job.statusId);
        return;
      case 'import':
        await deps.imports.apply(job.importId, job.rows, deps.resolve);
        return;
      case 'poll-ended':
        await deps.polls.end(job.pollId);
        return;
      case 'poll-tally':
        await deps.polls.sendTally(job.pollId);
        return;
      case 'publish-scheduled':
        await deps.statuses.publishScheduled(job.scheduledId);
        return;
      case 'fetch-card':
        await deps.fetchCard(job.statusId, job.url);
        return;
      case 'import-archive':
        await deps.imports.applyArchive(job.importId, deps.media);
        return;
      case 'resolve-mentions':
        await Promise.all(job.handles.slice(0, LOOKUPS_PER_POST).map((handle) => deps.resolve(handle).catch(() => null)));
        await deps.statuses.linkLookedUpMentions(job.statusId, job.then);
        return;
    }
  }

  return {
    /** Runs the jobs until `signal` aborts. */
    listen(signal: AbortSignal): Promise<void> {
      return queue.listen(
        async (message) => {
          try {
            await run(message as Job);
          } catch (error) {
            log.error({ err: error, job: (message as Job).kind }, 'a background job failed');
          }
        },
        { signal },
      );
    },
  };
}
