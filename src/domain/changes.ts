/**
 * What a committed write changed, told to whoever keeps something derived from the database (today the
 * home timeline cache; later federation's outbox). Services say it after their transaction commits.
 */
export type Change =
  /** A status was posted, reposted or edited: timelines that did not show it may show it now. */
  | { readonly kind: 'status-posted'; readonly statusId: string; readonly authorId: string; readonly tags: readonly string[] }
  /** Statuses whose content, counters or existence changed. */
  | { readonly kind: 'statuses'; readonly ids: readonly string[] }
  /** Accounts whose profile, counters or standing changed. */
  | { readonly kind: 'accounts'; readonly ids: readonly string[] }
  /** Accounts whose own view changed: what they follow, block, mute, or marked. */
  | { readonly kind: 'viewers'; readonly ids: readonly string[] }
  /** Anything may have changed (an account deleted, a change made outside the services). */
  | { readonly kind: 'everything' };

export interface Changes {
  emit(change: Change): void;
  /** Calls `listener` with every change from now on; returns the way to stop. */
  subscribe(listener: (change: Change) => void): () => void;
}

/** The in-process feed of changes. */
export function changeFeed(): Changes {
  const listeners = new Set<(change: Change) => void>();
  return {
    emit(change) {
      for (const listener of listeners) listener(change);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
