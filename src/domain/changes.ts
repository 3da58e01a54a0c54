/**
 * What a committed command changed, told to whoever keeps something derived from the database (the home
 * timeline cache, the queue listeners). Commands never emit changes themselves: they record them on their
 * unit of work as they write, and the unit tells the feed once, after the commit (`unit-of-work.ts`).
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
  /** The server's moderation policy changed (domain, address or email blocks): who may reach this server. */
  | { readonly kind: 'moderation' }
  /** Anything may have changed (an account deleted). */
  | { readonly kind: 'everything' }
  /** Messages were queued on these channels in the committed transaction: a wake-up call for their listeners. */
  | { readonly kind: 'queued'; readonly channels: readonly string[] };

/**
 * What a local account did that other servers should hear of, as recorded in the queue (`recordActivity`)
 * for federation's workers: ids of rows that still exist, and a snapshot of what is gone.
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
  /** A local author answered another server's request to quote one of its posts (FEP-044f); `stampId` when it agreed. */
  | {
      readonly type: 'quote-answered';
      readonly accountId: string;
      readonly requesterId: string;
      readonly requestUri: string;
      readonly quotedStatusId: string;
      readonly stampId: string | null;
    }
  /** A local member voted in a remote poll: each vote goes to the poll's server. */
  | { readonly type: 'poll-voted'; readonly accountId: string; readonly pollId: string; readonly voteIds: readonly string[] }
  | { readonly type: 'profile-updated'; readonly accountId: string }
  | { readonly type: 'account-moved'; readonly accountId: string; readonly targetId: string }
  /** The server moved to another domain: the account's actor at its former URI moves to its new one. */
  | { readonly type: 'domain-moved'; readonly accountId: string; readonly formerUri: string }
  | { readonly type: 'reported'; readonly reportId: string }
  | { readonly type: 'account-deleted'; readonly accountId: string; readonly username: string; readonly inboxes: readonly string[] };

/** The feed of committed changes: one batch per command. */
export interface Changes {
  emit(batch: readonly Change[]): void;
  /** Calls `listener` with every batch from now on; returns the way to stop. */
  subscribe(listener: (batch: readonly Change[]) => void): () => void;
}

/** The in-process feed of changes. */
export function changeFeed(): Changes {
  const listeners = new Set<(batch: readonly Change[]) => void>();
  return {
    emit(batch) {
      if (batch.length === 0) return;
      for (const listener of listeners) listener(batch);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Collects a command's changes and merges them into one small batch: each kind once, with the union of
 * its ids (a status posted stays one entry per status).
 */
export class ChangeSet {
  readonly #posted = new Map<string, Extract<Change, { kind: 'status-posted' }>>();
  readonly #ids = { statuses: new Set<string>(), accounts: new Set<string>(), viewers: new Set<string>() };
  readonly #channels = new Set<string>();
  #everything = false;
  #moderation = false;

  add(change: Change): void {
    switch (change.kind) {
      case 'status-posted':
        this.#posted.set(change.statusId, change);
        break;
      case 'statuses':
      case 'accounts':
      case 'viewers':
        for (const id of change.ids) this.#ids[change.kind].add(id);
        break;
      case 'everything':
        this.#everything = true;
        break;
      case 'moderation':
        this.#moderation = true;
        break;
      case 'queued':
        for (const channel of change.channels) this.#channels.add(channel);
        break;
    }
  }

  /** The merged batch, in a fixed order. */
  batch(): Change[] {
    const batch: Change[] = [...this.#posted.values()];
    for (const kind of ['statuses', 'accounts', 'viewers'] as const) {
      if (this.#ids[kind].size) batch.push({ kind, ids: [...this.#ids[kind]] });
    }
    if (this.#everything) batch.push({ kind: 'everything' });
    if (this.#moderation) batch.push({ kind: 'moderation' });
    if (this.#channels.size) batch.push({ kind: 'queued', channels: [...this.#channels] });
    return batch;
  }
}

/** Calls `wake` whenever a committed command queued messages on `channel` (so its listener here need not poll). */
export function onQueued(changes: Changes, channel: string, wake: () => void): () => void {
  return changes.subscribe((batch) => {
    if (batch.some((change) => change.kind === 'queued' && change.channels.includes(channel))) wake();
  });
}
