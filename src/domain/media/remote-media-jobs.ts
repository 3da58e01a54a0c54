import { uuid7 } from '../../lib/uuid7.ts';
import type { Unit } from '../unit-of-work.ts';
import { insertMedia, MAX_ATTACHMENTS } from './media.repo.ts';

/** The queue channel of files to fetch from other servers. */
export const REMOTE_MEDIA_CHANNEL = 'remote-media';

/** A remote post's attachment, as its server describes it. */
export interface RemoteAttachment {
  readonly url: string;
  readonly description: string | null;
}

/** A file to fetch: a remote post's attachment, a remote account's avatar or header, or a remote custom emoji. */
export type RemoteMediaJob =
  | { readonly kind: 'attachment'; readonly mediaId: string; readonly statusId: string; readonly url: string }
  | { readonly kind: 'avatar' | 'header'; readonly accountId: string; readonly url: string }
  | {
      readonly kind: 'emoji';
      readonly emojiId: string;
      readonly url: string;
      /** What brought it: shown again once the image is here. */
      readonly owner: EmojiOwnerRef;
    };

/** A post or profile that shows custom emoji. */
export type EmojiOwnerRef = { readonly statusId: string } | { readonly accountId: string };

/**
 * Records a remote post's attachments (in order, up to four) as rows being processed, and queues their
 * fetching by the workers (never while an activity is handled).
 */
export async function recordRemoteAttachments(
  unit: Unit,
  statusId: string,
  authorId: string,
  attachments: readonly RemoteAttachment[],
): Promise<void> {
  const rows = attachments.slice(0, MAX_ATTACHMENTS).map((a, position) => ({
    id: uuid7(unit.clock()),
    account_id: authorId,
    status_id: statusId,
    position,
    type: 'image' as const, // until processed: the pipeline tells what it is
    description: a.description?.slice(0, 1500) ?? null,
  }));
  await insertMedia(unit, rows);
  for (const [i, row] of rows.entries()) {
    await unit.enqueue(REMOTE_MEDIA_CHANNEL, {
      kind: 'attachment',
      mediaId: row.id,
      statusId,
      url: attachments[i]!.url,
    } satisfies RemoteMediaJob);
  }
}
