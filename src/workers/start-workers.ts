import type { App } from '../app/create-app.ts';
import { runCleanup } from './cleanup.job.ts';
import { pushDelivery } from './push-delivery.ts';

/** The job processors of a worker process, and the way to stop them after their current jobs. */
export interface Workers {
  readonly processors: readonly string[];
  stop(): Promise<void>;
}

const CLEANUP_EVERY_MS = 10 * 60 * 1000;

/**
 * Starts the background jobs on `app`: the periodic cleanup of expired rows and federation's queue
 * (deliveries to other servers, and inbox work).
 */
export function startWorkers(app: App, options: { cleanupEveryMs?: number } = {}): Workers {
  const log = app.logger.child({ category: 'workers' });
  let running: Promise<void> = Promise.resolve();
  const cleanup = () => {
    running = runCleanup(app.db, app.services.clock, app.services.media)
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) log.info({ job: 'cleanup', removed: counts }, 'expired rows removed');
      })
      .catch((error: unknown) =>
        log.error({ job: 'cleanup', err: error instanceof Error ? error.message : String(error) }, 'cleanup failed'),
      );
  };
  cleanup();
  const timer = setInterval(cleanup, options.cleanupEveryMs ?? CLEANUP_EVERY_MS);
  timer.unref();
  // Federation's queue: deliveries (with retries and a circuit breaker per server) and inbox work.
  const stopQueue = new AbortController();
  const queue = app.federation
    .startWorkers(stopQueue.signal)
    .catch((error: unknown) => log.error({ job: 'federation', err: error }, 'the federation queue stopped'));
  // Web Push: notifications to the devices that subscribed, through the same SSRF guard.
  const pushes = pushDelivery({
    db: app.db,
    clock: app.services.clock,
    config: app.config,
    push: app.services.push,
    fetch: app.federation.safeFetch,
    logger: log.child({ job: 'push' }),
  })
    .listen(stopQueue.signal)
    .catch((error: unknown) => log.error({ job: 'push', err: error }, 'the push queue stopped'));
  const processors = ['cleanup', 'federation', 'push'];
  log.info({ processors }, 'workers started');
  return {
    processors,
    async stop() {
      clearInterval(timer);
      stopQueue.abort();
      await Promise.all([running, queue, pushes]);
    },
  };
}
