import type { Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { Database } from '../../storage/db/schema.ts';
import { Invalid, NotFound } from '../errors.ts';
import { scheduleBlobDeletion } from '../media/media.repo.ts';
import { REMOTE_MEDIA_CHANNEL, type EmojiOwnerRef, type RemoteMediaJob } from '../media/remote-media-jobs.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

/** A custom emoji as stored. */
export type EmojiRow = Selectable<Database['custom_emojis']>;

/** A custom emoji as another server's post or profile tells it (an `Emoji` tag). */
export interface RemoteEmoji {
  readonly shortcode: string;
  readonly url: string;
  readonly uri: string | null;
}

/** A shortcode: letters, digits and underscores, 2 to 64 of them (Mastodon's rule). */
export const SHORTCODE = /^[a-zA-Z0-9_]{2,64}$/;
const IN_TEXT = /:([a-zA-Z0-9_]{2,64}):/g;
/** How many emoji one post or profile may bring from another server, and how many categories names run to. */
const MAX_REMOTE_PER_OBJECT = 50;
const MAX_CATEGORY = 64;

/** The shortcodes written as `:shortcode:` in these texts. */
export function shortcodesIn(texts: readonly string[]): Set<string> {
  const codes = new Set<string>();
  for (const text of texts) for (const match of text.matchAll(IN_TEXT)) codes.add(match[1]!);
  return codes;
}

/** Something that shows emoji: its key (a status or account id), its server (null: this one) and its texts. */
export interface EmojiOwner {
  readonly key: string;
  readonly domain: string | null;
  readonly texts: readonly string[];
}

/**
 * The custom emoji each owner's texts use, from the owner's own server (a remote post shows its server's
 * emoji, never this server's of the same name): one query for a whole page. Emoji without an image yet
 * are left out.
 */
export async function emojisFor(db: DbReader, owners: readonly EmojiOwner[]): Promise<Map<string, EmojiRow[]>> {
  const wanted = owners.map((o) => ({ owner: o, codes: shortcodesIn(o.texts) }));
  const codes = [...new Set(wanted.flatMap((w) => [...w.codes]))];
  const out = new Map<string, EmojiRow[]>();
  if (!codes.length) return out;
  const domains = [...new Set(owners.map((o) => o.domain).filter((d): d is string => d !== null))];
  const rows = await db
    .selectFrom('custom_emojis')
    .selectAll()
    .where('shortcode', 'in', codes)
    .where('image_key', 'is not', null)
    .where((eb) => (domains.length ? eb.or([eb('domain', 'is', null), eb('domain', 'in', domains)]) : eb('domain', 'is', null)))
    .execute();
  const byKey = new Map(rows.map((r) => [`${r.domain ?? ''} ${r.shortcode}`, r]));
  for (const { owner, codes: own } of wanted) {
    const found = [...own].flatMap((code) => byKey.get(`${owner.domain ?? ''} ${code}`) ?? []);
    if (found.length) out.set(owner.key, found);
  }
  return out;
}

/** This server's emoji, by category and shortcode (for the picker and `/api/v1/custom_emojis`). */
export function localEmojis(db: DbReader): Promise<EmojiRow[]> {
  return db
    .selectFrom('custom_emojis')
    .selectAll()
    .where('domain', 'is', null)
    .where('image_key', 'is not', null)
    .orderBy('category')
    .orderBy('shortcode')
    .execute();
}

/** This server's emoji used in these texts (for the `Emoji` tags of what it sends). */
export async function localEmojisIn(db: DbReader, texts: readonly string[]): Promise<EmojiRow[]> {
  return (await emojisFor(db, [{ key: '', domain: null, texts }])).get('') ?? [];
}

function checkShortcode(shortcode: string): string {
  const code = shortcode.replace(/^:|:$/g, '');
  if (!SHORTCODE.test(code))
    throw new Invalid('Validation failed', {
      shortcode: [{ error: 'ERR_INVALID', description: 'must be 2 to 64 letters, digits or underscores' }],
    });
  return code;
}

function checkCategory(category: string | null | undefined): string | null {
  const text = category?.trim() ?? '';
  if ([...text].length > MAX_CATEGORY)
    throw new Invalid('Validation failed', { category: [{ error: 'ERR_TOO_LONG', description: `at most ${MAX_CATEGORY} characters` }] });
  return text || null;
}

/** What the emoji commands need of the media pipeline. */
export interface EmojiImages {
  emojiImage(bytes: Uint8Array): Promise<{ imageKey: string; staticKey: string }>;
}

/**
 * The operator's custom emoji: added from an image (re-encoded like any upload), put in a category,
 * hidden from the picker, removed; and other servers' emoji, once fetched.
 */
export function emojiCommands(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  const findLocal = async (shortcode: string) => {
    const row = await db.read
      .selectFrom('custom_emojis')
      .selectAll()
      .where('domain', 'is', null)
      .where('shortcode', '=', checkShortcode(shortcode))
      .executeTakeFirst();
    if (!row) throw new NotFound(`No custom emoji :${shortcode}:`);
    return row;
  };

  return {
    /** Adds an emoji of this server (or replaces the image of one of the same shortcode); returns its id. */
    async add(images: EmojiImages, input: { shortcode: string; image: Uint8Array; category?: string | null }): Promise<string> {
      const shortcode = checkShortcode(input.shortcode);
      const category = checkCategory(input.category);
      const { imageKey, staticKey } = await images.emojiImage(input.image);
      return run(async (unit) => {
        const existing = await unit.tx
          .selectFrom('custom_emojis')
          .selectAll()
          .where('domain', 'is', null)
          .where('shortcode', '=', shortcode)
          .executeTakeFirst();
        if (existing) {
          await unit.tx
            .updateTable('custom_emojis')
            .set({ image_key: imageKey, static_key: staticKey, category: category ?? existing.category, updated_at: unit.now })
            .where('id', '=', existing.id)
            .execute();
          await scheduleBlobDeletion(unit, [existing.image_key, existing.static_key === existing.image_key ? null : existing.static_key]);
          unit.changed({ kind: 'everything' });
          return existing.id;
        }
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('custom_emojis')
          .values({
            id,
            shortcode,
            domain: null,
            uri: null,
            remote_url: null,
            image_key: imageKey,
            static_key: staticKey,
            category,
            created_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        unit.changed({ kind: 'everything' });
        return id;
      });
    },

    /** Changes an emoji's category, or whether the picker shows it. */
    async update(shortcode: string, input: { category?: string | null; visibleInPicker?: boolean }): Promise<void> {
      const row = await findLocal(shortcode);
      const set = {
        ...(input.category !== undefined ? { category: checkCategory(input.category) } : {}),
        ...(input.visibleInPicker !== undefined ? { visible_in_picker: input.visibleInPicker } : {}),
      };
      if (!Object.keys(set).length) return;
      await run(async (unit) => {
        await unit.tx
          .updateTable('custom_emojis')
          .set({ ...set, updated_at: unit.now })
          .where('id', '=', row.id)
          .execute();
      });
    },

    /** Removes an emoji of this server: posts that used it show its shortcode again. */
    async remove(shortcode: string): Promise<void> {
      const row = await findLocal(shortcode);
      await run(async (unit) => {
        await unit.tx.deleteFrom('custom_emojis').where('id', '=', row.id).execute();
        await scheduleBlobDeletion(unit, [row.image_key, row.static_key === row.image_key ? null : row.static_key]);
        unit.changed({ kind: 'everything' });
      });
    },

    /**
     * A remote emoji's image was fetched: it is shown from now on (unless its image changed meanwhile),
     * starting with the post or profile that brought it.
     */
    async storeRemoteImage(
      emojiId: string,
      url: string,
      owner: EmojiOwnerRef,
      keys: { imageKey: string; staticKey: string },
    ): Promise<void> {
      await run(async (unit) => {
        const row = await unit.tx.selectFrom('custom_emojis').selectAll().where('id', '=', emojiId).executeTakeFirst();
        if (!row || row.remote_url !== url) return scheduleBlobDeletion(unit, [keys.imageKey, keys.staticKey]);
        await unit.tx
          .updateTable('custom_emojis')
          .set({ image_key: keys.imageKey, static_key: keys.staticKey, updated_at: unit.now })
          .where('id', '=', emojiId)
          .execute();
        await scheduleBlobDeletion(unit, [row.image_key, row.static_key === row.image_key ? null : row.static_key]);
        unit.changed('statusId' in owner ? { kind: 'statuses', ids: [owner.statusId] } : { kind: 'accounts', ids: [owner.accountId] });
      });
    },
  };
}

export type EmojiCommands = ReturnType<typeof emojiCommands>;

/**
 * Records the emoji a remote post or profile of `domain` uses (its `Emoji` tags), and queues the fetching
 * of each image that is new or moved. An emoji's id must be on its server's own origin.
 */
export async function recordRemoteEmojis(unit: Unit, domain: string, emojis: readonly RemoteEmoji[], owner: EmojiOwnerRef): Promise<void> {
  const wanted = new Map<string, RemoteEmoji>();
  for (const emoji of emojis.slice(0, MAX_REMOTE_PER_OBJECT)) {
    const code = emoji.shortcode.replace(/^:|:$/g, '');
    if (SHORTCODE.test(code) && /^https?:\/\//.test(emoji.url)) wanted.set(code, { ...emoji, shortcode: code });
  }
  if (!wanted.size) return;
  const known = new Map(
    (
      await unit.tx
        .selectFrom('custom_emojis')
        .select(['id', 'shortcode', 'remote_url'])
        .where('domain', '=', domain)
        .where('shortcode', 'in', [...wanted.keys()])
        .execute()
    ).map((r) => [r.shortcode, r]),
  );
  for (const emoji of wanted.values()) {
    const row = known.get(emoji.shortcode);
    if (row && row.remote_url === emoji.url) continue;
    const id = row?.id ?? uuid7(unit.clock());
    if (row)
      await unit.tx
        .updateTable('custom_emojis')
        .set({ remote_url: emoji.url, uri: emoji.uri, updated_at: unit.now })
        .where('id', '=', id)
        .execute();
    else
      await unit.tx
        .insertInto('custom_emojis')
        .values({
          id,
          shortcode: emoji.shortcode,
          domain,
          uri: emoji.uri,
          remote_url: emoji.url,
          image_key: null,
          static_key: null,
          category: null,
          created_at: unit.now,
          updated_at: unit.now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await unit.enqueue(REMOTE_MEDIA_CHANNEL, { kind: 'emoji', emojiId: id, url: emoji.url, owner } satisfies RemoteMediaJob);
  }
}

/** An account as something that shows emoji: its name, bio and profile fields. */
export function accountAsEmojiOwner(account: {
  readonly id: string;
  readonly domain: string | null;
  readonly display_name: string;
  readonly note: string;
  readonly fields: string;
}): EmojiOwner {
  return { key: account.id, domain: account.domain, texts: [account.display_name, account.note, account.fields] };
}

/** The emoji each of these accounts shows (one query). */
export function emojisOfAccounts(
  db: DbReader,
  accounts: readonly Parameters<typeof accountAsEmojiOwner>[0][],
): Promise<Map<string, EmojiRow[]>> {
  return emojisFor(db, accounts.map(accountAsEmojiOwner));
}
