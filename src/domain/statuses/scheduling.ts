import type { Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { findAccountById } from '../accounts/accounts.repo.ts';
import { apiActor, isLocal, type Actor } from '../actor.ts';
import { DomainError, Forbidden, Invalid, NotFound } from '../errors.ts';
import { queueJob } from '../jobs.ts';
import { checkAttachable, type MediaRow } from '../media/media.repo.ts';
import type { Unit } from '../unit-of-work.ts';
import { prepareLocalPost, type LocalStatusInput, type PostingDeps } from './posting.ts';

/** Mastodon's limits: how soon a post may be scheduled, and how many may wait (in all, and for one day). */
export const SCHEDULE_LIMITS = { leadMs: 5 * 60_000, total: 300, perDay: 25, horizonMs: 2 * 365 * 86400_000 } as const;

/** What a scheduled post will be: the parameters of a new post, as checked when it was scheduled. */
export type ScheduledParams = Omit<LocalStatusInput, 'idempotencyKey' | 'scheduledId'>;

export interface ScheduledRow {
  readonly id: string;
  readonly account_id: string;
  readonly scheduled_at: string;
  readonly params: string;
  readonly created_at: string;
}

/** The member's scheduled posts, soonest first (paged by id, newest first, as Mastodon pages them). */
export function scheduledOf(db: DbReader) {
  return db.selectFrom('scheduled_statuses').selectAll();
}

/** One of the member's scheduled posts; another's answers as if it did not exist. */
export async function findScheduled(db: DbReader, ownerId: string, id: string): Promise<ScheduledRow> {
  const row = await db
    .selectFrom('scheduled_statuses')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', ownerId)
    .executeTakeFirst();
  if (!row) throw new NotFound();
  return row;
}

/** The uploads kept for these scheduled posts (not yet published), oldest first. */
export function mediaKeptFor(db: DbReader, scheduledIds: readonly string[]): Promise<MediaRow[]> {
  if (!scheduledIds.length) return Promise.resolve([]);
  return db
    .selectFrom('media_attachments')
    .selectAll()
    .where('scheduled_status_id', 'in', [...scheduledIds])
    .where('status_id', 'is', null)
    .orderBy('created_at')
    .execute();
}

const when = (problem: string) =>
  new Invalid(`Validation failed: Scheduled at ${problem}`, { scheduled_at: [{ error: 'ERR_INVALID', description: problem }] });

/**
 * Scheduled posts: a member's post checked now and published by the workers at its time, with its
 * uploads (kept for it until then). Publishing goes through the one posting command, as if the member
 * posted then; a post that can no longer be made (the post it answers is gone) is dropped.
 */
export function schedulingCommands(
  deps: PostingDeps & { clock: Clock; post: (actor: Actor, input: LocalStatusInput) => Promise<string | null> },
) {
  const { db, run } = deps;
  const owner = (actor: Actor) => {
    if (!isLocal(actor.account)) throw new Forbidden('Only local accounts schedule posts');
    return actor.account;
  };

  /** Checks a time against the limits (at least five minutes ahead; at most so many that day and in all). */
  const checkTime = async (unit: Unit, ownerId: string, at: string, except: string | null) => {
    const time = Date.parse(at);
    if (Number.isNaN(time)) throw when('is not a date');
    if (time < Date.parse(unit.now) + SCHEDULE_LIMITS.leadMs) throw when('must be at least 5 minutes in the future');
    if (time > Date.parse(unit.now) + SCHEDULE_LIMITS.horizonMs) throw when('must be within two years');
    const others = (
      await unit.tx.selectFrom('scheduled_statuses').select(['id', 'scheduled_at']).where('account_id', '=', ownerId).execute()
    ).filter((r) => r.id !== except);
    if (others.length >= SCHEDULE_LIMITS.total) throw when(`at most ${SCHEDULE_LIMITS.total} posts may be scheduled`);
    const day = new Date(time).toISOString().slice(0, 10);
    if (others.filter((r) => new Date(r.scheduled_at).toISOString().slice(0, 10) === day).length >= SCHEDULE_LIMITS.perDay)
      throw when(`at most ${SCHEDULE_LIMITS.perDay} posts may be scheduled for one day`);
    return new Date(time).toISOString();
  };

  return {
    /** Schedules a post for `at` (ISO), after checking it as if it were posted now; returns its id. */
    async schedule(actor: Actor, params: ScheduledParams, at: string): Promise<string> {
      const author = owner(actor);
      await prepareLocalPost(deps, author, params);
      const mediaIds = await checkAttachable(db.read, author.id, params.mediaIds ?? []);
      return run(async (unit) => {
        const scheduledAt = await checkTime(unit, author.id, at, null);
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('scheduled_statuses')
          .values({ id, account_id: author.id, scheduled_at: scheduledAt, params: JSON.stringify(params), created_at: unit.now })
          .execute();
        if (mediaIds.length) {
          // Checked again in the transaction: an upload is kept for one post only.
          await checkAttachable(unit.tx, author.id, mediaIds);
          await unit.tx.updateTable('media_attachments').set({ scheduled_status_id: id }).where('id', 'in', mediaIds).execute();
        }
        await queueJob(unit, { kind: 'publish-scheduled', scheduledId: id }, scheduledAt);
        return id;
      });
    },

    /** Moves a scheduled post to another time. */
    async reschedule(actor: Actor, id: string, at: string): Promise<void> {
      const author = owner(actor);
      await findScheduled(db.read, author.id, id);
      await run(async (unit) => {
        const scheduledAt = await checkTime(unit, author.id, at, id);
        await unit.tx.updateTable('scheduled_statuses').set({ scheduled_at: scheduledAt }).where('id', '=', id).execute();
        // The job queued for the former time finds the post not due yet and leaves it.
        await queueJob(unit, { kind: 'publish-scheduled', scheduledId: id }, scheduledAt);
      });
    },

    /** Cancels a scheduled post (its uploads become unattached again). */
    async cancelScheduled(actor: Actor, id: string): Promise<void> {
      const author = owner(actor);
      await findScheduled(db.read, author.id, id);
      await run(async (unit) => {
        await unit.tx.deleteFrom('scheduled_statuses').where('id', '=', id).execute();
      });
    },

    /**
     * Publishes a scheduled post if it is due (the workers call this at its time); returns the new post's
     * id, or null when there was nothing to publish. Safe to repeat: the post is made once.
     */
    async publishScheduled(id: string): Promise<string | null> {
      const row = await db.read.selectFrom('scheduled_statuses').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || Date.parse(String(row.scheduled_at)) > deps.clock()) return null;
      const author = await findAccountById(db.read, row.account_id);
      let statusId: string | null = null;
      if (author && author.suspended_at === null) {
        const params = JSON.parse(row.params) as ScheduledParams;
        try {
          statusId = await deps.post(apiActor(author), { ...params, idempotencyKey: `scheduled:${id}`, scheduledId: id });
        } catch (error) {
          // The post cannot be made any more (what it answers or quotes is gone, a file was removed).
          if (!(error instanceof DomainError)) throw error;
        }
      }
      await run(async (unit) => {
        await unit.tx.deleteFrom('scheduled_statuses').where('id', '=', id).execute();
      });
      return statusId;
    },
  };
}
