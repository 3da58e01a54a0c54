import type { Db } from '../../storage/db/database.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { postingCommands } from './posting.ts';
import { reactionCommands } from './reactions.ts';
import type { SearchIndex } from './search-index.ts';

export type { DeletedStatus, LocalEdit, LocalStatusInput, RemoteStatusInput } from './posting.ts';
export type { RemoteRepost } from './reactions.ts';

/**
 * The status commands: posting, editing, deleting, reposting, favourites, bookmarks, pins, muted threads
 * and quote consent. Each takes an actor, local or remote: the API and federation enter the same command.
 */
export function createStatusService(deps: {
  db: Db;
  run: RunCommand;
  publicUrl: string;
  domain: string;
  maxCharacters: number;
  search: SearchIndex;
}) {
  return { ...postingCommands(deps), ...reactionCommands(deps) };
}

/** The statuses service's interface, as `createStatusService` builds it. */
export type StatusService = ReturnType<typeof createStatusService>;
