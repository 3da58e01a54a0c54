import type { PollView } from '../../../domain/polls/polls.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { Poll } from '../entities.ts';

/**
 * Mastodon's Poll entity for one viewer. A poll that hides its totals shows no counts per option until
 * it ends, except to its author; `voters_count` is given for a multiple-choice poll only.
 */
export function serializePoll(view: PollView): Poll {
  const { poll } = view;
  const hidden = toBool(poll.hide_totals) && !view.expired && !view.viewerIsAuthor;
  return {
    id: poll.id,
    expires_at: poll.expires_at === null ? null : new Date(poll.expires_at).toISOString(),
    expired: view.expired,
    multiple: toBool(poll.multiple),
    votes_count: view.votes,
    voters_count: toBool(poll.multiple) ? view.voters : null,
    options: view.titles.map((title, i) => ({ title, votes_count: hidden ? null : (view.tallies[i] ?? 0) })),
    emojis: [],
    ...(view.ownVotes === null ? {} : { voted: view.ownVotes.length > 0 || view.viewerIsAuthor, own_votes: [...view.ownVotes] }),
  };
}
