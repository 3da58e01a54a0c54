import { isoAt, type Clock } from '../lib/clock.ts';
import type { Db } from '../storage/db/database.ts';
import type { MediaService } from '../domain/media/media.service.ts';

/** How many rows one cleanup removed, by kind. */
export type CleanupCounts = Record<
  'sessions' | 'tokens' | 'codes' | 'emailTokens' | 'idempotencyKeys' | 'mutes' | 'invites' | 'media',
  number
>;

const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

/**
 * Removes what has expired: sessions, access tokens whose refresh token has expired too, authorization
 * codes, email links, idempotency keys older than an hour, temporary mutes that ran out, used-up or
 * expired invitations, uploads never attached within a day (with their files). Expired rows are already refused when read; this keeps them from piling up.
 */
export async function runCleanup(db: Db, clock: Clock, media: Pick<MediaService, 'cleanup'>): Promise<CleanupCounts> {
  const now = isoAt(clock);
  const rows = await db.transaction(async (tx) => {
    const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
    return {
      sessions: count(await tx.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst()),
      tokens: count(
        await tx
          .deleteFrom('oauth_tokens')
          .where('expires_at', '<=', now)
          .where((w) => w.or([w('refresh_expires_at', 'is', null), w('refresh_expires_at', '<=', now)]))
          .executeTakeFirst(),
      ),
      codes: count(await tx.deleteFrom('oauth_codes').where('expires_at', '<=', now).executeTakeFirst()),
      emailTokens: count(await tx.deleteFrom('email_tokens').where('expires_at', '<=', now).executeTakeFirst()),
      idempotencyKeys: count(
        await tx.deleteFrom('idempotency_keys').where('created_at', '<=', isoAt(clock, -IDEMPOTENCY_WINDOW_MS)).executeTakeFirst(),
      ),
      mutes: count(await tx.deleteFrom('mutes').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst()),
      invites: count(
        await tx
          .deleteFrom('invites')
          .where((w) =>
            w.or([
              w.and([w('expires_at', 'is not', null), w('expires_at', '<=', now)]),
              w.and([w('max_uses', 'is not', null), w('uses', '>=', w.ref('max_uses') as never)]),
            ]),
          )
          .executeTakeFirst(),
      ),
    };
  });
  return { ...rows, media: await media.cleanup() };
}
