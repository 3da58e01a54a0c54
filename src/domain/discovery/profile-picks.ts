import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import { findAccountById } from '../accounts/accounts.repo.ts';
import { isLocal, type Actor } from '../actor.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { upsertTags } from '../statuses/statuses.repo.ts';
import { isHashtagName } from '../statuses/text-format.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

/**
 * How long a private note may be, how many accounts a profile endorses, how many hashtags it features
 * (the number the Instance entity advertises).
 */
export const PICK_LIMITS = { noteLength: 2000, endorsements: 40, featuredTags: LIMITS.featuredTags } as const;

/** A featured hashtag, with how much its owner used it (public and unlisted posts). */
export interface FeaturedTagView {
  readonly id: string;
  readonly name: string;
  readonly statusesCount: number;
  readonly lastStatusAt: string | null;
}

/** The viewer's private notes on these accounts, by account. */
export async function notesOn(db: DbReader, viewerId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('account_notes')
    .select(['target_account_id', 'comment'])
    .where('account_id', '=', viewerId)
    .where('target_account_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.target_account_id, r.comment]));
}

/** Which of these accounts the viewer endorses. */
export async function endorsedAmong(db: DbReader, viewerId: string, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .selectFrom('endorsements')
    .select('target_account_id')
    .where('account_id', '=', viewerId)
    .where('target_account_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.target_account_id));
}

/** A page of the accounts an account endorses (paged by account id, as Mastodon pages them). */
export function endorsementsPage(db: DbReader, accountId: string, window: Window) {
  return readWindow(
    db
      .selectFrom('endorsements')
      .select(['target_account_id as account_id', 'target_account_id as cursor'])
      .where('account_id', '=', accountId),
    'endorsements.target_account_id',
    window,
  );
}

/** An account's featured hashtags, oldest first, with how often it used each in public or unlisted posts. */
export async function featuredTagsOf(db: DbReader, accountId: string): Promise<FeaturedTagView[]> {
  const rows = await db
    .selectFrom('featured_tags')
    .innerJoin('tags', 'tags.id', 'featured_tags.tag_id')
    .select(['featured_tags.id', 'featured_tags.tag_id', 'tags.name'])
    .where('featured_tags.account_id', '=', accountId)
    .orderBy('featured_tags.id')
    .execute();
  if (!rows.length) return [];
  const uses = await db
    .selectFrom('status_tags')
    .innerJoin('statuses', 'statuses.id', 'status_tags.status_id')
    .select(['status_tags.tag_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('statuses.created_at').as('last')])
    .where('statuses.account_id', '=', accountId)
    .where('statuses.visibility', 'in', ['public', 'unlisted'])
    .where(
      'status_tags.tag_id',
      'in',
      rows.map((r) => r.tag_id),
    )
    .groupBy('status_tags.tag_id')
    .execute();
  const byTag = new Map(uses.map((u) => [u.tag_id, u]));
  return rows.map((r) => {
    const use = byTag.get(r.tag_id);
    return { id: r.id, name: r.name, statusesCount: Number(use?.n ?? 0), lastStatusAt: use ? String(use.last) : null };
  });
}

/** The hashtags an account used most in its recent posts and does not feature yet (at most 10). */
export async function featuredTagSuggestions(db: DbReader, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('status_tags')
    .innerJoin('statuses', 'statuses.id', 'status_tags.status_id')
    .innerJoin('tags', 'tags.id', 'status_tags.tag_id')
    .select(['tags.name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('statuses.account_id', '=', accountId)
    .where('statuses.visibility', 'in', ['public', 'unlisted'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('featured_tags')
            .select('featured_tags.id')
            .whereRef('featured_tags.tag_id', '=', 'tags.id')
            .where('featured_tags.account_id', '=', accountId),
        ),
      ),
    )
    .groupBy('tags.name')
    .orderBy('n', 'desc')
    .orderBy('tags.name')
    .limit(10)
    .execute();
  return rows.map((r) => r.name);
}

/**
 * What a member picks out on and about other profiles: a private note on an account, the accounts they
 * endorse (which must be accounts they follow), and the hashtags they feature on their own profile.
 */
export function profilePicks(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  const local = (actor: Actor) => {
    if (!isLocal(actor.account)) throw new Forbidden('Only local accounts keep these');
    return actor.account.id;
  };
  const target = async (actor: Actor, id: string) => {
    const account = await findAccountById(db.read, id);
    if (!account || account.suspended_at !== null) throw new NotFound();
    return account;
  };

  return {
    /** Sets (or, with an empty comment, removes) the member's private note on an account. */
    async setNote(actor: Actor, targetId: string, comment: string): Promise<void> {
      const ownerId = local(actor);
      await target(actor, targetId);
      const text = comment.trim();
      if ([...text].length > PICK_LIMITS.noteLength)
        throw new Invalid('Validation failed', {
          comment: [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${PICK_LIMITS.noteLength} characters)` }],
        });
      await run(async (unit) => {
        await unit.tx.deleteFrom('account_notes').where('account_id', '=', ownerId).where('target_account_id', '=', targetId).execute();
        if (text)
          await unit.tx
            .insertInto('account_notes')
            .values({ account_id: ownerId, target_account_id: targetId, comment: text, created_at: unit.now })
            .execute();
      });
    },

    /** Endorses (features on the member's profile) an account the member follows. */
    async endorse(actor: Actor, targetId: string, on: boolean): Promise<void> {
      const ownerId = local(actor);
      await target(actor, targetId);
      await run(async (unit) => {
        if (!on) {
          await unit.tx.deleteFrom('endorsements').where('account_id', '=', ownerId).where('target_account_id', '=', targetId).execute();
          return;
        }
        const follows = await unit.tx
          .selectFrom('follows')
          .select('account_id')
          .where('account_id', '=', ownerId)
          .where('target_account_id', '=', targetId)
          .executeTakeFirst();
        if (!follows)
          throw new Invalid('You must be following this account to endorse it', {
            base: [{ error: 'ERR_INVALID', description: 'You must be following this account to endorse it' }],
          });
        const count = await unit.tx
          .selectFrom('endorsements')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', ownerId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= PICK_LIMITS.endorsements)
          throw new Invalid(`You cannot endorse more than ${PICK_LIMITS.endorsements} accounts`, {
            base: [{ error: 'ERR_LIMIT', description: `at most ${PICK_LIMITS.endorsements} accounts` }],
          });
        await unit.tx
          .insertInto('endorsements')
          .values({ account_id: ownerId, target_account_id: targetId, created_at: unit.now })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },

    /** Features a hashtag on the member's profile; returns the featured tag's id. */
    async featureTag(actor: Actor, name: string): Promise<string> {
      const ownerId = local(actor);
      const clean = name.replace(/^#/, '');
      if (!isHashtagName(clean))
        throw new Invalid('Validation failed', { name: [{ error: 'ERR_INVALID', description: 'is not a valid hashtag' }] });
      return run(async (unit) => {
        const [tagId] = await upsertTags(unit, [clean]);
        const existing = await unit.tx
          .selectFrom('featured_tags')
          .select('id')
          .where('account_id', '=', ownerId)
          .where('tag_id', '=', tagId!)
          .executeTakeFirst();
        if (existing) throw new Invalid('Validation failed', { name: [{ error: 'ERR_TAKEN', description: 'is already featured' }] });
        const count = await unit.tx
          .selectFrom('featured_tags')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', ownerId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= PICK_LIMITS.featuredTags)
          throw new Invalid(`You cannot feature more than ${PICK_LIMITS.featuredTags} hashtags`, {
            base: [{ error: 'ERR_LIMIT', description: `at most ${PICK_LIMITS.featuredTags} hashtags` }],
          });
        const id = uuid7(unit.clock());
        await unit.tx.insertInto('featured_tags').values({ id, account_id: ownerId, tag_id: tagId!, created_at: unit.now }).execute();
        return id;
      });
    },

    /** Stops featuring a hashtag (by the featured tag's id); another member's answers as if it did not exist. */
    async unfeatureTag(actor: Actor, id: string): Promise<void> {
      const ownerId = local(actor);
      await run(async (unit) => {
        const gone = await unit.tx
          .deleteFrom('featured_tags')
          .where('id', '=', id)
          .where('account_id', '=', ownerId)
          .returning('tag_id')
          .execute();
        if (!gone.length) throw new NotFound();
      });
    },
  };
}

export type ProfilePicks = ReturnType<typeof profilePicks>;

/**
 * A follow ended (an unfollow, a block, a domain block) or moved to another account: the owner's
 * endorsement of the old account ends too, or follows the move.
 */
export async function dropEndorsements(unit: Unit, ownerId: string, targetIds: readonly string[], movedTo?: string): Promise<void> {
  if (!targetIds.length) return;
  const gone = await unit.tx
    .deleteFrom('endorsements')
    .where('account_id', '=', ownerId)
    .where('target_account_id', 'in', [...targetIds])
    .returning('created_at')
    .execute();
  if (movedTo !== undefined && gone.length)
    await unit.tx
      .insertInto('endorsements')
      .values({ account_id: ownerId, target_account_id: movedTo, created_at: gone[0]!.created_at })
      .onConflict((oc) => oc.doNothing())
      .execute();
}
