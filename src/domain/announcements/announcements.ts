import type { Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { Database } from '../../storage/db/schema.ts';
import { isLocal, type Actor } from '../actor.ts';
import { SHORTCODE } from '../emoji/custom-emojis.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { renderText, tokenize } from '../statuses/text-format.ts';
import type { RunCommand } from '../unit-of-work.ts';

/** An announcement as stored. */
export type AnnouncementRow = Selectable<Database['announcements']>;

/** The length of an announcement, and how many different reactions one may gather. */
export const ANNOUNCEMENT_LIMITS = { characters: 5000, reactionNames: 20 } as const;

/** An announcement as a member sees it: whether they dismissed it, and its reactions with their own. */
export interface AnnouncementView {
  readonly row: AnnouncementRow;
  readonly read: boolean;
  readonly reactions: readonly { readonly name: string; readonly count: number; readonly me: boolean }[];
}

/** One emoji character (with its modifiers and joiners), as a reaction's name. */
const EMOJI =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\u{FE0F}|\u{200D}|[\u{1F3FB}-\u{1F3FF}]|[\u{E0020}-\u{E007F}]|\p{Extended_Pictographic}|\p{Regional_Indicator})*$/u;

/**
 * The announcements a member sees now: published, started (or with no start), not ended, newest first;
 * those the member dismissed only `withDismissed`.
 */
export async function announcementsFor(
  db: DbReader,
  viewerId: string,
  now: string,
  options: { withDismissed: boolean },
): Promise<AnnouncementView[]> {
  const rows = await db
    .selectFrom('announcements')
    .selectAll()
    .where((eb) => eb.or([eb('starts_at', 'is', null), eb('starts_at', '<=', now)]))
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
    .orderBy('published_at', 'desc')
    .limit(50)
    .execute();
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [dismissed, reactions] = await Promise.all([
    db
      .selectFrom('announcement_dismissals')
      .select('announcement_id')
      .where('account_id', '=', viewerId)
      .where('announcement_id', 'in', ids)
      .execute(),
    db
      .selectFrom('announcement_reactions')
      .select(['announcement_id', 'account_id', 'name', 'created_at'])
      .where('announcement_id', 'in', ids)
      .orderBy('created_at')
      .execute(),
  ]);
  const read = new Set(dismissed.map((d) => d.announcement_id));
  return rows.flatMap((row) => {
    if (read.has(row.id) && !options.withDismissed) return [];
    const byName = new Map<string, { name: string; count: number; me: boolean }>();
    for (const r of reactions) {
      if (r.announcement_id !== row.id) continue;
      const entry = byName.get(r.name) ?? { name: r.name, count: 0, me: false };
      entry.count += 1;
      entry.me ||= r.account_id === viewerId;
      byName.set(r.name, entry);
    }
    return [{ row, read: read.has(row.id), reactions: [...byName.values()] }];
  });
}

/** Every announcement, for the operator (newest first). */
export function allAnnouncements(db: DbReader): Promise<AnnouncementRow[]> {
  return db.selectFrom('announcements').selectAll().orderBy('published_at', 'desc').execute();
}

/** What an announcement is published with. */
export interface AnnouncementInput {
  readonly text: string;
  readonly startsAt?: string | null | undefined;
  readonly endsAt?: string | null | undefined;
  readonly allDay?: boolean | undefined;
}

/**
 * Announcements: the operator publishes and removes them (command line); members dismiss them and
 * react with an emoji character or one of this server's custom emoji.
 */
export function announcementCommands(deps: { db: Db; run: RunCommand; publicUrl: string }) {
  const { run, publicUrl } = deps;
  const member = (actor: Actor) => {
    if (!isLocal(actor.account)) throw new Forbidden('Announcements are for local members');
    return actor.account.id;
  };
  /** The announcement if it is shown now (read in the command's own transaction). */
  const current = async (tx: DbReader, id: string, now: string) => {
    const row = await tx.selectFrom('announcements').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (row.starts_at !== null && row.starts_at > now) || (row.ends_at !== null && row.ends_at <= now)) throw new NotFound();
    return row;
  };

  return {
    /** Publishes an announcement to every member; returns its id. */
    async publish(input: AnnouncementInput): Promise<string> {
      const text = input.text.trim();
      if (!text || [...text].length > ANNOUNCEMENT_LIMITS.characters)
        throw new Invalid(`An announcement is 1 to ${ANNOUNCEMENT_LIMITS.characters} characters`, {
          text: [{ error: text ? 'ERR_TOO_LONG' : 'ERR_BLANK', description: `1 to ${ANNOUNCEMENT_LIMITS.characters} characters` }],
        });
      const instant = (value: string | null | undefined, field: string) => {
        if (value === null || value === undefined) return null;
        const ms = Date.parse(value);
        if (Number.isNaN(ms))
          throw new Invalid(`${field} is not a date`, { [field]: [{ error: 'ERR_INVALID', description: 'is not a date' }] });
        return new Date(ms).toISOString();
      };
      const startsAt = instant(input.startsAt, 'starts_at');
      const endsAt = instant(input.endsAt, 'ends_at');
      if (startsAt && endsAt && endsAt <= startsAt)
        throw new Invalid('It must end after it starts', { ends_at: [{ error: 'ERR_INVALID', description: 'must be after starts_at' }] });
      const content = renderText(tokenize(text), { publicUrl, mention: () => undefined });
      return run(async (unit) => {
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('announcements')
          .values({
            id,
            text,
            content,
            starts_at: startsAt,
            ends_at: endsAt,
            all_day: input.allDay ?? false,
            published_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        return id;
      });
    },

    /** Removes an announcement, with its dismissals and reactions. */
    async remove(id: string): Promise<void> {
      await run(async (unit) => {
        const gone = await unit.tx.deleteFrom('announcements').where('id', '=', id).returning('id').execute();
        if (!gone.length) throw new NotFound();
      });
    },

    /** The member has read the announcement: it is left out of their list from now on. */
    async dismiss(actor: Actor, id: string): Promise<void> {
      const accountId = member(actor);
      await run(async (unit) => {
        await current(unit.tx, id, unit.now);
        await unit.tx
          .insertInto('announcement_dismissals')
          .values({ announcement_id: id, account_id: accountId })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },

    /** Adds (or takes back) the member's reaction: an emoji character, or a custom emoji's shortcode. */
    async react(actor: Actor, id: string, name: string, on: boolean): Promise<void> {
      const accountId = member(actor);
      await run(async (unit) => {
        await current(unit.tx, id, unit.now);
        if (!on) {
          await unit.tx
            .deleteFrom('announcement_reactions')
            .where('announcement_id', '=', id)
            .where('account_id', '=', accountId)
            .where('name', '=', name)
            .execute();
          return;
        }
        const custom = SHORTCODE.test(name)
          ? await unit.tx
              .selectFrom('custom_emojis')
              .select('id')
              .where('domain', 'is', null)
              .where('shortcode', '=', name)
              .executeTakeFirst()
          : undefined;
        if (!custom && !EMOJI.test(name))
          throw new Invalid('Validation failed: Name is not a recognized emoji', {
            name: [{ error: 'ERR_INVALID', description: 'is not a recognized emoji' }],
          });
        const names = await unit.tx
          .selectFrom('announcement_reactions')
          .select('name')
          .distinct()
          .where('announcement_id', '=', id)
          .execute();
        if (!names.some((n) => n.name === name) && names.length >= ANNOUNCEMENT_LIMITS.reactionNames)
          throw new Invalid('Validation failed: too many different reactions', {
            name: [{ error: 'ERR_LIMIT', description: 'too many different reactions' }],
          });
        await unit.tx
          .insertInto('announcement_reactions')
          .values({ announcement_id: id, account_id: accountId, name, created_at: unit.now })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },
  };
}

export type AnnouncementCommands = ReturnType<typeof announcementCommands>;
