import type { App } from '../app/create-app.ts';
import { runCleanup } from './cleanup.job.ts';

/** The job processors of a worker process, and the way to stop them after their current jobs. */
export interface Workers {
  readonly processors: readonly string[];
  stop(): Promise<void>;
}

const CLEANUP_EVERY_MS = 10 * 60 * 1000;

/**
 * Starts the background jobs on `app`: for now the periodic cleanup of expired rows. Fan-out, delivery
 * and media processing join them with the features that emit those jobs.
 */
export function startWorkers(app: App, options: { cleanupEveryMs?: number } = {}): Workers {
  const log = app.logger.child({ category: 'workers' });
  let running: Promise<void> = Promise.resolve();
  const cleanup = () => {
    running = runCleanup(app.db, app.services.clock, app.services.media)
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) log.info({ job: 'cleanup', removed: counts }, 'expired rows removed');
      })
      .catch((error: unknown) => log.error({ job: 'cleanup', err: error instanceof Error ? error.message : String(error) }, 'cleanup failed'));
  };
  cleanup();
  const timer = setInterval(cleanup, options.cleanupEveryMs ?? CLEANUP_EVERY_MS);
  timer.unref();
  log.info({ processors: ['cleanup'] }, 'workers started');
  return {
    processors: ['cleanup'],
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
