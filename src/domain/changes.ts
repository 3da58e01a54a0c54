/**
 * What a committed write changed, told to whoever keeps something derived from the database (the home
 * timeline cache, federation's workers). Services say it after their transaction commits.
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
  | { readonly kind: 'everything' }
  /** Activity events were queued (with `recordActivity`, in the committed transaction): a wake-up call for the workers. */
  | { readonly kind: 'activity-recorded' };

/**
 * What a local account did that other servers should hear of, as recorded in the queue (`recordActivity`)
 * for federation's workers: ids of rows that still exist, and a snapshot of what is gone. Events about
 * remote accounts' doings are ignored by federation.
 */
export type ActivityEvent =
  | { readonly type: 'status-created' | 'status-updated'; readonly accountId: string; readonly statusId: string }
  | {
      readonly type: 'status-deleted';
      readonly accountId: string;
      readonly statusId: string;
      readonly uri: string;
      readonly visibility: string;
      readonly mentionedIds: readonly string[];
      readonly reblogOfId: string | null;
    }
  | { readonly type: 'favourited' | 'unfavourited'; readonly accountId: string; readonly statusId: string }
  | {
      readonly type: 'follow-requested' | 'unfollowed' | 'blocked' | 'unblocked';
      readonly accountId: string;
      readonly targetId: string;
      readonly followUri?: string | null;
    }
  | {
      readonly type: 'follow-answered';
      readonly accepted: boolean;
      readonly accountId: string;
      readonly requesterId: string;
      readonly followUri: string | null;
    }
  | { readonly type: 'profile-updated'; readonly accountId: string }
  | { readonly type: 'account-moved'; readonly accountId: string; readonly targetId: string }
  | { readonly type: 'reported'; readonly reportId: string }
  | { readonly type: 'account-deleted'; readonly accountId: string; readonly username: string; readonly inboxes: readonly string[] };

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
