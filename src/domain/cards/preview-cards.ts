import { Parser } from 'htmlparser2';
import type { Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { Database } from '../../storage/db/schema.ts';
import { queueJob } from '../jobs.ts';
import { scheduleBlobDeletion } from '../media/media.repo.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

/** A preview card as stored. */
export type CardRow = Selectable<Database['preview_cards']>;

/** What a page says of itself, made safe to keep (text capped, URLs http(s) only). */
export interface CardData {
  readonly type: CardRow['type'];
  readonly title: string;
  readonly description: string;
  readonly authorName: string;
  readonly authorUrl: string;
  readonly providerName: string;
  readonly providerUrl: string;
  readonly language: string | null;
  readonly publishedAt: string | null;
  readonly image: { readonly key: string; readonly width: number; readonly height: number; readonly blurhash: string | null } | null;
}

/** How long a fetched card stands before a new post linking the same URL fetches it again. */
export const CARD_FRESH_MS = 14 * 24 * 3600_000;

/**
 * The link a post's preview is made of: the first `<a href>` of its HTML that is neither a mention, a
 * hashtag nor a quote's link, over http(s). Null when it has none.
 */
export function firstLinkOf(html: string): string | null {
  let found: string | null = null;
  const parser = new Parser({
    onopentag(name, attributes) {
      if (found !== null || name !== 'a' || !attributes.href) return;
      const classes = (attributes.class ?? '').split(/\s+/);
      if (classes.some((c) => c === 'mention' || c === 'hashtag' || c === 'u-url' || c === 'quote-inline')) return;
      if ((attributes.rel ?? '').split(/\s+/).includes('tag')) return;
      try {
        const url = new URL(attributes.href);
        if ((url.protocol === 'https:' || url.protocol === 'http:') && url.href.length <= 2048) found = url.href;
      } catch {
        // not a URL: no preview
      }
    },
  });
  parser.write(html);
  parser.end();
  return found;
}

/**
 * After a post is written or edited: its card follows its first link. A link with a fresh card shows it at
 * once; another is fetched by the workers (`fetch-card`); a post without a link (any more) shows none.
 */
export async function linkCard(unit: Unit, statusId: string, contentHtml: string, options: { fetch: boolean }): Promise<void> {
  const url = options.fetch ? firstLinkOf(contentHtml) : null;
  const current = await unit.tx
    .selectFrom('status_cards')
    .innerJoin('preview_cards', 'preview_cards.id', 'status_cards.card_id')
    .select(['preview_cards.url'])
    .where('status_cards.status_id', '=', statusId)
    .executeTakeFirst();
  if (current && current.url === url) return;
  if (current) await unit.tx.deleteFrom('status_cards').where('status_id', '=', statusId).execute();
  if (url === null) return;
  if (!(await showFreshCard(unit, statusId, url))) await queueJob(unit, { kind: 'fetch-card', statusId, url });
}

/** Shows the card of `url` on the post if one was fetched recently enough; whether it did. */
async function showFreshCard(unit: Unit, statusId: string, url: string): Promise<boolean> {
  const fresh = new Date(Date.parse(unit.now) - CARD_FRESH_MS).toISOString();
  const card = await unit.tx
    .selectFrom('preview_cards')
    .select('id')
    .where('url', '=', url)
    .where('fetched_at', '>', fresh)
    .executeTakeFirst();
  if (!card) return false;
  await unit.tx.deleteFrom('status_cards').where('status_id', '=', statusId).execute();
  await unit.tx.insertInto('status_cards').values({ status_id: statusId, card_id: card.id }).execute();
  unit.changed({ kind: 'statuses', ids: [statusId] });
  return true;
}

/** The cards of these statuses, by status. */
export async function cardsOf(db: DbReader, statusIds: readonly string[]): Promise<Map<string, CardRow>> {
  if (!statusIds.length) return new Map();
  const rows = await db
    .selectFrom('status_cards')
    .innerJoin('preview_cards', 'preview_cards.id', 'status_cards.card_id')
    .selectAll('preview_cards')
    .select('status_cards.status_id')
    .where('status_cards.status_id', 'in', [...statusIds])
    .execute();
  return new Map(rows.map(({ status_id, ...card }) => [status_id, card]));
}

/** Keeping what the workers fetched: the card of a URL, and the post that shows it. */
export function cardCommands(deps: { db: Db; run: RunCommand }) {
  const { run } = deps;
  return {
    /**
     * Before fetching: shows a card another post's fetch made meanwhile (if the post still links there).
     * Whether nothing is left to fetch.
     */
    reuseFresh(statusId: string, url: string): Promise<boolean> {
      return run(async (unit) => {
        const status = await unit.tx.selectFrom('statuses').select('content').where('id', '=', statusId).executeTakeFirst();
        if (!status || firstLinkOf(status.content) !== url) return true;
        return showFreshCard(unit, statusId, url);
      });
    },

    /**
     * Stores the card fetched for `url` (replacing an older one of the same URL) and shows it on the post,
     * if the post still links there; `data` null: the page gave nothing to show, and the post shows none.
     */
    async attach(statusId: string, url: string, data: CardData | null): Promise<void> {
      if (!data) return;
      await run(async (unit) => {
        const values = {
          type: data.type,
          title: data.title,
          description: data.description,
          author_name: data.authorName,
          author_url: data.authorUrl,
          provider_name: data.providerName,
          provider_url: data.providerUrl,
          image_key: data.image?.key ?? null,
          width: data.image?.width ?? 0,
          height: data.image?.height ?? 0,
          blurhash: data.image?.blurhash ?? null,
          language: data.language,
          published_at: data.publishedAt,
          fetched_at: unit.now,
        };
        const existing = await unit.tx.selectFrom('preview_cards').select(['id', 'image_key']).where('url', '=', url).executeTakeFirst();
        let cardId: string;
        if (existing) {
          cardId = existing.id;
          await unit.tx.updateTable('preview_cards').set(values).where('id', '=', cardId).execute();
          if (existing.image_key !== values.image_key) await scheduleBlobDeletion(unit, [existing.image_key]);
          const showing = await unit.tx.selectFrom('status_cards').select('status_id').where('card_id', '=', cardId).execute();
          if (showing.length)
            unit.changed({
              kind: 'statuses',
              ids: showing.map((s) => s.status_id),
            });
        } else {
          cardId = uuid7(unit.clock());
          await unit.tx
            .insertInto('preview_cards')
            .values({ id: cardId, url, ...values })
            .execute();
        }
        const status = await unit.tx.selectFrom('statuses').select('content').where('id', '=', statusId).executeTakeFirst();
        if (!status || firstLinkOf(status.content) !== url) return;
        await unit.tx.deleteFrom('status_cards').where('status_id', '=', statusId).execute();
        await unit.tx.insertInto('status_cards').values({ status_id: statusId, card_id: cardId }).execute();
        unit.changed({ kind: 'statuses', ids: [statusId] });
      });
    },
  };
}

export type CardCommands = ReturnType<typeof cardCommands>;
