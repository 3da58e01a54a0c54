import type { DbReader } from '../../storage/db/database.ts';
import type { StatusRow } from './statuses.repo.ts';
import { notMutedBy, visibleTo } from './visibility-policy.ts';

/** How much of a thread is read at once, and how far up its chain of parents is followed. */
const THREAD_ROWS = 4096;
const MAX_ANCESTORS = 256;

/**
 * The parents of `status` (oldest first) and its replies (depth first, in order), as `viewerId` may see
 * them: what Mastodon calls a status's context.
 */
export async function threadContext(
  db: DbReader,
  viewerId: string | null,
  status: StatusRow,
  now: string,
): Promise<{ ancestors: StatusRow[]; descendants: StatusRow[] }> {
  const thread = await db
    .selectFrom('statuses')
    .selectAll()
    .where('thread_id', '=', status.thread_id ?? status.id)
    .where(visibleTo(viewerId))
    .where(notMutedBy(viewerId, now))
    .orderBy('id')
    .limit(THREAD_ROWS)
    .execute();
  const byId = new Map(thread.map((s) => [s.id, s]));
  const ancestors: StatusRow[] = [];
  for (
    let parent = status.in_reply_to_id ? byId.get(status.in_reply_to_id) : undefined;
    parent && ancestors.length < MAX_ANCESTORS;
    parent = parent.in_reply_to_id ? byId.get(parent.in_reply_to_id) : undefined
  )
    ancestors.unshift(parent);
  const children = new Map<string, StatusRow[]>();
  for (const s of thread) if (s.in_reply_to_id) children.set(s.in_reply_to_id, [...(children.get(s.in_reply_to_id) ?? []), s]);
  const descendants: StatusRow[] = [];
  const walk = (id: string) => {
    for (const child of children.get(id) ?? []) {
      descendants.push(child);
      walk(child.id);
    }
  };
  walk(status.id);
  return { ancestors, descendants };
}
