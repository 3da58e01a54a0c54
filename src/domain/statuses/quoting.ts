import type { DbReader } from '../../storage/db/database.ts';
import { Invalid } from '../errors.ts';
import { blockedEitherWay } from '../graph/graph.repo.ts';
import type { StatusRow } from './statuses.repo.ts';

/** Whether `authorId` may quote `quoted`: a public or unlisted post, not a repost, and no block either way. */
export async function isQuotable(db: DbReader, authorId: string, quoted: StatusRow): Promise<boolean> {
  if (quoted.reblog_of_id !== null || !['public', 'unlisted'].includes(quoted.visibility)) return false;
  return !(await blockedEitherWay(db, quoted.account_id, authorId));
}

/** Refuses a quote `isQuotable` would not allow, with the reason in Mastodon's error shape. */
export async function assertQuotable(db: DbReader, authorId: string, quoted: StatusRow): Promise<void> {
  if (await isQuotable(db, authorId, quoted)) return;
  throw new Invalid('This post cannot be quoted', {
    quoted_status_id: [
      { error: 'ERR_INVALID', description: 'cannot be quoted: only public and unlisted posts can, and not across a block' },
    ],
  });
}
