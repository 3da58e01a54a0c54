import type { ImportRow } from './accounts/imports.ts';
import type { Unit } from './unit-of-work.ts';

/** The queue channel of the domain's background jobs. */
export const JOBS_CHANNEL = 'jobs';

/**
 * Work a command leaves for the workers, queued in its transaction, so that no request waits on another
 * server, on the blob store or on a slow loop over followers.
 */
export type Job =
  /** Remove these files from the blob store (their rows are already gone). */
  | { readonly kind: 'delete-blobs'; readonly keys: readonly string[] }
  /** Make deletions final on disk (SQLite's write-ahead log); many are coalesced into one. */
  | { readonly kind: 'purge-deleted' }
  /** Remove a suspended account's content for good (a remote account's posts; a local account entirely). */
  | { readonly kind: 'purge-account'; readonly accountId: string }
  /**
   * Mail a password-reset link if the address has an account. Queued for every request, so that the
   * request does the same work whether or not the address is known.
   */
  | { readonly kind: 'password-reset'; readonly email: string }
  /** Tell the followers who asked to be notified ("notify me") of a new post. */
  | { readonly kind: 'notify-subscribers'; readonly statusId: string }
  /**
   * Look up remote accounts a local post mentions that this server does not know yet, link them, then
   * record the post's activity event (deferred until then, so that the post reaches them).
   */
  /** Apply the rows of a member's import (`accounts/imports.ts`), from where a last attempt stopped. */
  | { readonly kind: 'import'; readonly importId: string; readonly rows: readonly ImportRow[] }
  /** Publish a scheduled post, if it is still due at this time (queued for its time; a rescheduled one queues again). */
  | { readonly kind: 'publish-scheduled'; readonly scheduledId: string }
  /** A poll ended: notify its author and voters here, and send a local poll's final counts. */
  | { readonly kind: 'poll-ended'; readonly pollId: string }
  /** Send a local poll's new counts to other servers (queued a minute after the first new vote). */
  | { readonly kind: 'poll-tally'; readonly pollId: string }
  /** Fetch the page a post links to for its preview card (through the SSRF guard). */
  | { readonly kind: 'fetch-card'; readonly statusId: string; readonly url: string }
  /** Bring a member's archive of posts in (its file waits in the data folder). */
  | { readonly kind: 'import-archive'; readonly importId: string }
  | {
      readonly kind: 'resolve-mentions';
      readonly statusId: string;
      readonly handles: readonly string[];
      readonly then: 'status-created' | 'status-updated';
    };

/** Queues a job in the command's transaction (with `at`, for the workers to take no earlier). */
export function queueJob(unit: Unit, job: Job, at?: string): Promise<void> {
  const orderingKey =
    job.kind === 'resolve-mentions'
      ? `status:${job.statusId}`
      : job.kind === 'import' || job.kind === 'import-archive'
        ? `import:${job.importId}`
        : null;
  return unit.enqueue(JOBS_CHANNEL, job, orderingKey, at);
}
