import { deleteExpiredEmailTokens } from '../domain/accounts/email-tokens.ts';
import { deleteSpentInvites } from '../domain/accounts/invites.repo.ts';
import { deleteExpiredCodes } from '../domain/auth/codes.service.ts';
import { deleteExpiredSessions } from '../domain/auth/sessions.service.ts';
import { deleteExpiredTokens } from '../domain/auth/tokens.service.ts';
import { endExpiredMutes } from '../domain/graph/graph.repo.ts';
import type { MediaService } from '../domain/media/media.service.ts';
import { deleteIdempotencyKeys } from '../domain/statuses/statuses.repo.ts';
import type { RunCommand } from '../domain/unit-of-work.ts';
import { isoAt } from '../lib/clock.ts';
import { purgeExpiredSuspensions } from '../domain/moderation/moderation.repo.ts';
import { SUSPENSION_GRACE_MS } from '../domain/moderation/moderation.service.ts';

/** How many rows one cleanup removed, by kind. */
export type CleanupCounts = Record<
  'sessions' | 'tokens' | 'codes' | 'emailTokens' | 'idempotencyKeys' | 'mutes' | 'invites' | 'media' | 'suspensions',
  number
>;

const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

/**
 * Removes what has expired: sessions, access tokens whose refresh token has expired too, authorization
 * codes, email links, idempotency keys older than an hour, temporary mutes that ran out (their owners'
 * pages are told), used-up or expired invitations, uploads never attached within a day (with their
 * files); and queues the final deletion of accounts suspended longer than the grace period for an appeal. Expired rows are already refused when read; this keeps them from piling up.
 */
export async function runCleanup(run: RunCommand, media: Pick<MediaService, 'cleanup'>): Promise<CleanupCounts> {
  const rows = await run(async (unit) => ({
    sessions: await deleteExpiredSessions(unit.tx, unit.now),
    tokens: await deleteExpiredTokens(unit.tx, unit.now),
    codes: await deleteExpiredCodes(unit.tx, unit.now),
    emailTokens: await deleteExpiredEmailTokens(unit.tx, unit.now),
    idempotencyKeys: await deleteIdempotencyKeys(unit.tx, isoAt(unit.clock, -IDEMPOTENCY_WINDOW_MS)),
    mutes: await endExpiredMutes(unit),
    invites: await deleteSpentInvites(unit.tx, unit.now),
    suspensions: await purgeExpiredSuspensions(unit, isoAt(unit.clock, -SUSPENSION_GRACE_MS)),
  }));
  return { ...rows, media: await media.cleanup() };
}
