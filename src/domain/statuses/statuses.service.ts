import type { Clock } from '../../lib/clock.ts';
import { postingCommands, type PostingDeps } from './posting.ts';
import { reactionCommands } from './reactions.ts';
import { schedulingCommands } from './scheduling.ts';

export type { DeletedStatus, LocalEdit, LocalStatusInput, RemoteStatusInput } from './posting.ts';
export type { RemoteRepost } from './reactions.ts';

/**
 * The status commands: posting (now or scheduled), editing, deleting, reposting, favourites, bookmarks,
 * pins, muted threads and quote consent. Each takes an actor, local or remote: the API and federation enter the same command.
 */
export function createStatusService(deps: PostingDeps & { clock: Clock }) {
  const posting = postingCommands(deps);
  return {
    ...posting,
    ...reactionCommands(deps),
    ...schedulingCommands({ ...deps, post: (actor, input) => posting.create(actor, input) }),
  };
}

/** The statuses service's interface, as `createStatusService` builds it. */
export type StatusService = ReturnType<typeof createStatusService>;
