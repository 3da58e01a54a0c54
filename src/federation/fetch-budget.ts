import type { DocumentLoader } from '@fedify/vocab-runtime';
import { preloadedContexts } from '@fedify/vocab-runtime';
import { RefusedFetchError } from './safe-fetch.ts';

/** What one activity may make this server fetch, at most. */
export interface FetchBudget {
  /** Documents fetched. */
  readonly documents: number;
  /** Time spent fetching, all fetches together (ms). */
  readonly totalMs: number;
}

/** Enough for an activity's actor, its object, a quoted or replied-to post and their authors, with room to spare. */
export const ACTIVITY_FETCH_BUDGET: FetchBudget = { documents: 20, totalMs: 30_000 };

/**
 * A document loader that stops fetching once `budget` is spent: handed to each piece of federation work (one
 * activity received, one request answered), so that no activity can turn this server into a crawler of
 * other servers, however many references it lists. Contexts known in memory cost nothing.
 */
export function budgetedLoader(
  loader: DocumentLoader,
  budget: FetchBudget,
  now: () => number = performance.now.bind(performance),
): DocumentLoader {
  let fetched = 0;
  let spentMs = 0;
  return async (url, options) => {
    if (url in preloadedContexts) return loader(url, options);
    if (fetched >= budget.documents || spentMs >= budget.totalMs)
      throw new RefusedFetchError(
        `not fetched: this activity's fetch budget (${budget.documents} documents, ${budget.totalMs} ms) is spent`,
      );
    fetched++;
    const started = now();
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(budget.totalMs - spentMs)));
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await loader(url, { ...options, signal });
    } finally {
      spentMs += now() - started;
    }
  };
}
