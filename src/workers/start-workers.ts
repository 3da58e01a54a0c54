import type { App } from '../app/create-app.ts';

/** The job processors of a worker process, and the way to stop them after their current jobs. */
export interface Workers {
  readonly processors: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the job processors (fan-out, delivery, media, cleanup) on `app`'s queue. The queue and its
 * processors arrive with the features that emit jobs; until then a worker process has none to run.
 */
export function startWorkers(app: App): Workers {
  const processors: string[] = [];
  app.logger.info({ category: 'workers', processors }, 'workers started');
  return { processors, stop: () => Promise.resolve() };
}
