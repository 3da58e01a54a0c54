import type { CardCommands } from '../domain/cards/preview-cards.ts';
import { fetchCardData } from '../federation/link-previews.ts';
import { createBlobStore } from '../storage/blobs/create-blob-store.ts';
import { backupDue, runScheduledBackup } from './backup.job.ts';
import { backupStanding } from '../domain/instance/backup-age.ts';
import { readServerSetting } from '../domain/instance/server-settings.repo.ts';
import type { RegistrationService } from '../domain/accounts/registration.service.ts';
import type { AccountImports } from '../domain/accounts/imports.ts';
import type { Config } from '../config/index.ts';
import type { Changes } from '../domain/changes.ts';
import type { MediaService } from '../domain/media/media.service.ts';
import type { PushService } from '../domain/push/push.service.ts';
import type { PollCommands } from '../domain/polls/polls.ts';
import type { StatusService } from '../domain/statuses/statuses.service.ts';
import type { ModerationService } from '../domain/moderation/moderation.service.ts';
import type { BlockService } from '../domain/moderation/blocks.service.ts';
import { allSubscriptions } from '../domain/moderation/moderation.repo.ts';
import { fetchBlocklist } from '../federation/blocklists.ts';
import { commandRunner } from '../domain/unit-of-work.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Db } from '../storage/db/database.ts';
import { runCleanup } from './cleanup.job.ts';
import { jobWorker } from './jobs.ts';
import { pushDelivery } from './push-delivery.ts';

/** The job processors of a worker process, and the way to stop them after their current jobs. */
export interface Workers {
  readonly processors: readonly string[];
  stop(): Promise<void>;
}

/** What the worker role runs over. */
export interface WorkerDeps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly changes: Changes;
  readonly media: MediaService;
  readonly push: PushService;
  readonly statuses: StatusService;
  readonly imports: Pick<AccountImports, 'apply' | 'applyArchive'>;
  readonly polls: Pick<PollCommands, 'end' | 'sendTally'>;
  readonly cards: CardCommands;
  readonly moderation: Pick<ModerationService, 'purge'>;
  readonly blocks: Pick<BlockService, 'applySubscription'>;
  readonly registration: Pick<RegistrationService, 'sendPasswordReset'>;
  /** Federation's workers (deliveries, inbox work, remote media) and its remote lookups, behind the SSRF guard. */
  readonly federation: {
    startWorkers(signal: AbortSignal): Promise<void>;
    resolve(handle: string): Promise<unknown>;
    readonly safeFetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  };
}

const CLEANUP_EVERY_MS = 10 * 60 * 1000;
/** How often subscribed blocklists are fetched again. */
const BLOCKLISTS_EVERY_MS = 6 * 3600 * 1000;

/**
 * Starts the background jobs: the periodic cleanup of expired rows, the domain's jobs (file removals,
 * purges, "notify me" notifications, lookups of mentioned accounts), federation's queues (deliveries to
 * other servers, inbox work, remote media) and Web Push.
 */
export function startWorkers(deps: WorkerDeps, options: { cleanupEveryMs?: number; blocklistsEveryMs?: number } = {}): Workers {
  const log = deps.logger.child({ category: 'workers' });
  let running: Promise<void> = Promise.resolve();
  const run = commandRunner(deps.db, deps.clock, deps.changes);
  const cleanup = () => {
    running = runCleanup(run, deps.media)
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) log.info({ job: 'cleanup', removed: counts }, 'expired rows removed');
      })
      .catch((error: unknown) =>
        log.error({ job: 'cleanup', err: error instanceof Error ? error.message : String(error) }, 'cleanup failed'),
      );
  };
  // The operator is told, at most hourly, when the newest verified backup is more than a day old.
  let warnedAt = -Infinity;
  const checkBackups = async () => {
    const standing = backupStanding((await readServerSetting(deps.db.read, 'backup_verified_at')) ?? null, deps.clock());
    if (!standing?.stale || deps.clock() - warnedAt < 3600_000) return;
    warnedAt = deps.clock();
    log.warn(
      { job: 'backups', newestVerified: standing.newestVerified },
      'the newest verified backup is more than a day old: run stoa backup',
    );
  };
  // Scheduled backups (with STOA_BACKUP_DIR): looked at as often as the cleanup runs, taken when due.
  let backingUp: Promise<unknown> = Promise.resolve();
  let backupRunning = false;
  const maybeBackUp = () => {
    if (backupRunning || !backupDue(deps.config, deps.clock)) return;
    backupRunning = true;
    backingUp = runScheduledBackup({
      config: deps.config,
      db: deps.db,
      blobs: createBlobStore(deps.config.blobs),
      clock: deps.clock,
      logger: log,
    })
      .catch((error: unknown) =>
        log.error({ job: 'backup', err: error instanceof Error ? error.message : String(error) }, 'scheduled backup failed'),
      )
      .finally(() => (backupRunning = false));
  };
  const everyCleanup = () => {
    cleanup();
    void checkBackups().catch(() => undefined);
    maybeBackUp();
  };
  everyCleanup();
  const timer = setInterval(everyCleanup, options.cleanupEveryMs ?? CLEANUP_EVERY_MS);
  timer.unref();
  // Subscribed blocklists, fetched through the SSRF guard: new blocks from them, and blocks they dropped lifted.
  let refreshing: Promise<void> = Promise.resolve();
  const refreshBlocklists = () => {
    refreshing = (async () => {
      for (const subscription of await allSubscriptions(deps.db.read)) {
        const result = await deps.blocks.applySubscription(
          subscription.id,
          await fetchBlocklist(deps.federation.safeFetch, subscription.url),
        );
        if (result.created.length || result.lifted.length)
          log.info(
            { job: 'blocklists', url: subscription.url, blocked: result.created.length, lifted: result.lifted.length },
            'blocklist applied',
          );
      }
    })().catch((error: unknown) => log.error({ job: 'blocklists', err: error }, 'blocklist refresh failed'));
  };
  refreshBlocklists();
  const blocklistTimer = setInterval(refreshBlocklists, options.blocklistsEveryMs ?? BLOCKLISTS_EVERY_MS);
  blocklistTimer.unref();
  const stopQueues = new AbortController();
  const jobs = jobWorker({
    db: deps.db,
    clock: deps.clock,
    changes: deps.changes,
    logger: log,
    statuses: deps.statuses,
    imports: deps.imports,
    polls: deps.polls,
    media: deps.media,
    purgeAccount: (accountId) => deps.moderation.purge(accountId),
    deleteBlobs: (keys) => deps.media.deleteBlobs(keys),
    resolve: (handle) => deps.federation.resolve(handle),
    sendPasswordReset: (email) => deps.registration.sendPasswordReset(email),
    async fetchCard(statusId, url) {
      if (await deps.cards.reuseFresh(statusId, url)) return;
      const data = await fetchCardData(url, { fetch: deps.federation.safeFetch, cardImage: (bytes) => deps.media.cardImage(bytes) });
      await deps.cards.attach(statusId, url, data);
    },
  })
    .listen(stopQueues.signal)
    .catch((error: unknown) => log.error({ job: 'jobs', err: error }, 'the job queue stopped'));
  // Federation's queue: deliveries (with retries and a circuit breaker per server) and inbox work.
  const queue = deps.federation
    .startWorkers(stopQueues.signal)
    .catch((error: unknown) => log.error({ job: 'federation', err: error }, 'the federation queue stopped'));
  // Web Push: notifications to the devices that subscribed, through the same SSRF guard.
  const pushes = pushDelivery({
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    push: deps.push,
    changes: deps.changes,
    fetch: deps.federation.safeFetch,
    logger: log.child({ job: 'push' }),
  })
    .listen(stopQueues.signal)
    .catch((error: unknown) => log.error({ job: 'push', err: error }, 'the push queue stopped'));
  const processors = ['cleanup', 'jobs', 'federation', 'push', 'blocklists'];
  log.info({ processors }, 'workers started');
  return {
    processors,
    async stop() {
      clearInterval(timer);
      clearInterval(blocklistTimer);
      stopQueues.abort();
      await Promise.all([running, refreshing, jobs, queue, pushes, backingUp]);
    },
  };
}
