import { uuid7 } from '../../lib/uuid7.ts';
import { plainText } from '../../lib/html.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { FilterAction, FilterContext } from '../../storage/db/schema.ts';
import { isLocal, type Actor } from '../actor.ts';
import { Forbidden, Invalid, NotFound, type FieldProblem } from '../errors.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

export const FILTER_CONTEXTS: readonly FilterContext[] = ['home', 'notifications', 'public', 'thread', 'account'];
export const FILTER_ACTIONS: readonly FilterAction[] = ['warn', 'blur', 'hide'];

/** How many filters a member keeps, and how large each may be. */
export const FILTER_LIMITS = { filters: 100, keywords: 100, statuses: 200, titleLength: 200, keywordLength: 200 } as const;

export interface FilterRow {
  readonly id: string;
  readonly account_id: string;
  readonly title: string;
  readonly context: string;
  readonly action: FilterAction;
  readonly expires_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}
export interface KeywordRow {
  readonly id: string;
  readonly filter_id: string;
  readonly keyword: string;
  readonly whole_word: boolean | number;
}
export interface FilterStatusRow {
  readonly id: string;
  readonly filter_id: string;
  readonly status_id: string;
}

/** A filter with its keywords and posts. */
export interface FilterRecord {
  readonly filter: FilterRow;
  readonly contexts: readonly FilterContext[];
  readonly keywords: readonly KeywordRow[];
  readonly statuses: readonly FilterStatusRow[];
}

/** A change to one keyword of a filter: a new one (no id), a changed one, or one to remove. */
export interface KeywordChange {
  readonly id?: string | undefined;
  readonly keyword?: string | undefined;
  readonly wholeWord?: boolean | undefined;
  readonly destroy?: boolean | undefined;
}

/** What a filter is made with or changed to; absent fields stay as they are (`expiresAt: null` clears it). */
export interface FilterInput {
  readonly title?: string | undefined;
  readonly context?: readonly FilterContext[] | undefined;
  readonly action?: FilterAction | undefined;
  readonly expiresAt?: string | null | undefined;
  readonly keywords?: readonly KeywordChange[] | undefined;
}

const invalid = (field: string, problem: FieldProblem, message = 'Validation failed') => new Invalid(message, { [field]: [problem] });

function checkText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (!trimmed) throw invalid(field, { error: 'ERR_BLANK', description: "can't be blank" });
  if ([...trimmed].length > max) throw invalid(field, { error: 'ERR_TOO_LONG', description: `is too long (maximum is ${max} characters)` });
  return trimmed;
}

function checkContext(context: readonly FilterContext[]): string {
  if (!context.length) throw invalid('context', { error: 'ERR_BLANK', description: "can't be blank" });
  return JSON.stringify([...new Set(context)]);
}

async function records(db: DbReader, filters: readonly FilterRow[]): Promise<FilterRecord[]> {
  if (!filters.length) return [];
  const ids = filters.map((f) => f.id);
  const keywords = await db.selectFrom('filter_keywords').selectAll().where('filter_id', 'in', ids).orderBy('id').execute();
  const statuses = await db.selectFrom('filter_statuses').selectAll().where('filter_id', 'in', ids).orderBy('id').execute();
  return filters.map((filter) => ({
    filter,
    contexts: JSON.parse(filter.context) as FilterContext[],
    keywords: keywords.filter((k) => k.filter_id === filter.id),
    statuses: statuses.filter((s) => s.filter_id === filter.id),
  }));
}

/** The owner's filters (expired ones too, as Mastodon lists them), oldest first. */
export async function filtersOf(db: DbReader, ownerId: string): Promise<FilterRecord[]> {
  return records(db, await db.selectFrom('filters').selectAll().where('account_id', '=', ownerId).orderBy('id').execute());
}

/** One of the owner's filters; another's answers as if it did not exist. */
export async function findFilter(db: DbReader, ownerId: string, filterId: string): Promise<FilterRecord> {
  const row = await db.selectFrom('filters').selectAll().where('id', '=', filterId).where('account_id', '=', ownerId).executeTakeFirst();
  if (!row) throw new NotFound();
  return (await records(db, [row]))[0]!;
}

/** The filter that holds one of the owner's keywords (or posts), with the keyword (or post). */
export async function findFilterOf(
  db: DbReader,
  ownerId: string,
  table: 'filter_keywords' | 'filter_statuses',
  id: string,
): Promise<FilterRecord> {
  const row = await db
    .selectFrom(table)
    .innerJoin('filters', 'filters.id', `${table}.filter_id`)
    .select('filters.id')
    .where(`${table}.id`, '=', id)
    .where('filters.account_id', '=', ownerId)
    .executeTakeFirst();
  if (!row) throw new NotFound();
  return findFilter(db, ownerId, row.id);
}

/** What one filter matched in one post: the keywords, or the post itself. */
export interface FilterResult {
  readonly record: FilterRecord;
  readonly keywordMatches: readonly string[] | null;
  readonly statusMatches: readonly string[] | null;
}

/** What a post is matched by: its words (content warning, text, media descriptions) and its id. */
export interface Filterable {
  readonly id: string;
  readonly accountId: string;
  readonly spoilerText: string;
  readonly content: string;
  readonly descriptions: readonly (string | null)[];
}

/** A viewer's filters in force, ready to match posts. */
export interface ActiveFilters {
  /** Every filter in force that matches the post, whatever its contexts (apps read `context` themselves). */
  match(post: Filterable): FilterResult[];
  /** Whether a filter of these results hides the post in `context`. */
  hides(results: readonly FilterResult[], context: FilterContext): boolean;
  /** When the first of them expires (ms), or Infinity. */
  readonly validUntil: number;
}

const WORD = /[\p{L}\p{N}_]/u;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword as a pattern: case-insensitive; a whole word must not touch letters or digits at its word ends. */
function keywordPattern(keyword: string, wholeWord: boolean): string {
  const body = escape(keyword);
  if (!wholeWord) return body;
  const before = WORD.test(keyword[0] ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD.test(keyword.at(-1) ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return `${before}${body}${after}`;
}

/**
 * The viewer's filters in force at `now` (null when none, so that a member without filters pays one small
 * query). Posts by the viewer are never filtered.
 */
export async function activeFilters(db: DbReader, viewerId: string, now: string): Promise<ActiveFilters | null> {
  const rows = await db
    .selectFrom('filters')
    .selectAll()
    .where('account_id', '=', viewerId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  if (!rows.length) return null;
  const compiled = (await records(db, rows)).map((record) => ({
    record,
    any: record.keywords.length
      ? new RegExp(record.keywords.map((k) => keywordPattern(k.keyword, toBool(k.whole_word))).join('|'), 'iu')
      : null,
    each: record.keywords.map((k) => ({ keyword: k.keyword, pattern: new RegExp(keywordPattern(k.keyword, toBool(k.whole_word)), 'iu') })),
    statusIds: new Set(record.statuses.map((s) => s.status_id)),
  }));
  const expiries = rows.flatMap((r) => (r.expires_at ? [Date.parse(String(r.expires_at))] : []));
  return {
    validUntil: expiries.length ? Math.min(...expiries) : Number.POSITIVE_INFINITY,
    match(post) {
      if (post.accountId === viewerId) return [];
      let text: string | null = null;
      const results: FilterResult[] = [];
      for (const filter of compiled) {
        const statusMatches = filter.statusIds.has(post.id) ? [post.id] : null;
        let keywordMatches: string[] | null = null;
        if (filter.any) {
          text ??= [post.spoilerText, plainText(post.content, Number.POSITIVE_INFINITY), ...post.descriptions.filter(Boolean)].join('\n');
          if (filter.any.test(text)) keywordMatches = filter.each.filter((k) => k.pattern.test(text!)).map((k) => k.keyword);
        }
        if (statusMatches || keywordMatches) results.push({ record: filter.record, keywordMatches, statusMatches });
      }
      return results;
    },
    hides: (results, context) => results.some((r) => r.record.filter.action === 'hide' && r.record.contexts.includes(context)),
  };
}

/** The filter changed: what its owner sees may differ now. */
function told(unit: Unit, ownerId: string): void {
  unit.changed({ kind: 'viewers', ids: [ownerId] });
}

/**
 * Filters: a member's keywords and posts that warn, blur or hide what they match. Private to the member,
 * never federated; applied wherever the member reads posts (`activeFilters`).
 */
export function filterCommands(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  const owner = (actor: Actor) => {
    if (!isLocal(actor.account)) throw new Forbidden('Filters belong to local accounts');
    return actor.account.id;
  };
  const count = async (unit: Unit, table: 'filter_keywords' | 'filter_statuses', filterId: string) =>
    Number(
      (
        await unit.tx
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('filter_id', '=', filterId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const tooMany = (field: string, max: number, what: string) =>
    invalid(field, { error: 'ERR_LIMIT', description: `at most ${max} ${what}` }, `A filter holds at most ${max} ${what}`);

  /** Applies keyword changes to a filter, in the unit; returns the ids of the keywords it added. */
  const changeKeywords = async (unit: Unit, filterId: string, changes: readonly KeywordChange[]): Promise<string[]> => {
    const added: string[] = [];
    for (const change of changes) {
      if (change.id !== undefined) {
        const existing = await unit.tx
          .selectFrom('filter_keywords')
          .select('id')
          .where('id', '=', change.id)
          .where('filter_id', '=', filterId)
          .executeTakeFirst();
        if (!existing) throw new NotFound();
        if (change.destroy) {
          await unit.tx.deleteFrom('filter_keywords').where('id', '=', change.id).execute();
          continue;
        }
        const set = {
          ...(change.keyword !== undefined ? { keyword: checkText('keyword', change.keyword, FILTER_LIMITS.keywordLength) } : {}),
          ...(change.wholeWord !== undefined ? { whole_word: change.wholeWord } : {}),
        };
        if (Object.keys(set).length) await unit.tx.updateTable('filter_keywords').set(set).where('id', '=', change.id).execute();
        continue;
      }
      if (change.destroy) continue;
      const id = uuid7(unit.clock());
      added.push(id);
      await unit.tx
        .insertInto('filter_keywords')
        .values({
          id,
          filter_id: filterId,
          keyword: checkText('keyword', change.keyword ?? '', FILTER_LIMITS.keywordLength),
          whole_word: change.wholeWord ?? true,
          created_at: unit.now,
        })
        .execute();
    }
    if ((await count(unit, 'filter_keywords', filterId)) > FILTER_LIMITS.keywords)
      throw tooMany('keywords_attributes', FILTER_LIMITS.keywords, 'keywords');
    return added;
  };

  return {
    /** Makes a filter with its first keywords; returns its id. */
    async create(actor: Actor, input: FilterInput & { title: string; context: readonly FilterContext[] }): Promise<string> {
      const ownerId = owner(actor);
      const title = checkText('title', input.title, FILTER_LIMITS.titleLength);
      const context = checkContext(input.context);
      return run(async (unit) => {
        const existing = await unit.tx
          .selectFrom('filters')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', ownerId)
          .executeTakeFirstOrThrow();
        if (Number(existing.n) >= FILTER_LIMITS.filters)
          throw invalid('base', { error: 'ERR_LIMIT', description: `at most ${FILTER_LIMITS.filters} filters` }, 'Too many filters');
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('filters')
          .values({
            id,
            account_id: ownerId,
            title,
            context,
            action: input.action ?? 'warn',
            expires_at: input.expiresAt ?? null,
            created_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        await changeKeywords(unit, id, input.keywords ?? []);
        told(unit, ownerId);
        return id;
      });
    },

    /** Changes a filter and, in the same step, its keywords. */
    async update(actor: Actor, filterId: string, input: FilterInput): Promise<void> {
      const ownerId = owner(actor);
      await findFilter(db.read, ownerId, filterId);
      const set = {
        ...(input.title !== undefined ? { title: checkText('title', input.title, FILTER_LIMITS.titleLength) } : {}),
        ...(input.context !== undefined ? { context: checkContext(input.context) } : {}),
        ...(input.action !== undefined ? { action: input.action } : {}),
        ...(input.expiresAt !== undefined ? { expires_at: input.expiresAt } : {}),
      };
      await run(async (unit) => {
        await unit.tx
          .updateTable('filters')
          .set({ ...set, updated_at: unit.now })
          .where('id', '=', filterId)
          .execute();
        await changeKeywords(unit, filterId, input.keywords ?? []);
        told(unit, ownerId);
      });
    },

    /** Deletes a filter with its keywords and posts. */
    async delete(actor: Actor, filterId: string): Promise<void> {
      const ownerId = owner(actor);
      await findFilter(db.read, ownerId, filterId);
      await run(async (unit) => {
        await unit.tx.deleteFrom('filters').where('id', '=', filterId).execute();
        told(unit, ownerId);
      });
    },

    /** Adds a keyword to a filter; returns its id. */
    async addKeyword(actor: Actor, filterId: string, keyword: string, wholeWord = true): Promise<string> {
      const ownerId = owner(actor);
      await findFilter(db.read, ownerId, filterId);
      return run(async (unit) => {
        const [added] = await changeKeywords(unit, filterId, [{ keyword, wholeWord }]);
        told(unit, ownerId);
        return added!;
      });
    },

    /** Changes one keyword. */
    async updateKeyword(actor: Actor, keywordId: string, change: { keyword?: string | undefined; wholeWord?: boolean | undefined }) {
      const ownerId = owner(actor);
      const record = await findFilterOf(db.read, ownerId, 'filter_keywords', keywordId);
      await run(async (unit) => {
        await changeKeywords(unit, record.filter.id, [{ id: keywordId, ...change }]);
        told(unit, ownerId);
      });
    },

    /**
     * Removes one keyword. The filter stays, matching its other keywords and posts; with `dropEmpty` (a v1
     * filter, which is one keyword), a filter left with nothing to match goes too.
     */
    async removeKeyword(actor: Actor, keywordId: string, options: { dropEmpty?: boolean } = {}): Promise<void> {
      const ownerId = owner(actor);
      const record = await findFilterOf(db.read, ownerId, 'filter_keywords', keywordId);
      await run(async (unit) => {
        await changeKeywords(unit, record.filter.id, [{ id: keywordId, destroy: true }]);
        if (
          options.dropEmpty &&
          (await count(unit, 'filter_keywords', record.filter.id)) === 0 &&
          (await count(unit, 'filter_statuses', record.filter.id)) === 0
        )
          await unit.tx.deleteFrom('filters').where('id', '=', record.filter.id).execute();
        told(unit, ownerId);
      });
    },

    /** Adds a post to a filter (one the member can name by id); returns the entry's id. */
    async addStatus(actor: Actor, filterId: string, statusId: string): Promise<string> {
      const ownerId = owner(actor);
      await findFilter(db.read, ownerId, filterId);
      const status = await db.read.selectFrom('statuses').select('id').where('id', '=', statusId).executeTakeFirst();
      if (!status) throw new NotFound();
      return run(async (unit) => {
        const existing = await unit.tx
          .selectFrom('filter_statuses')
          .select('id')
          .where('filter_id', '=', filterId)
          .where('status_id', '=', statusId)
          .executeTakeFirst();
        if (existing) throw invalid('status_id', { error: 'ERR_TAKEN', description: 'is already filtered' });
        if ((await count(unit, 'filter_statuses', filterId)) >= FILTER_LIMITS.statuses)
          throw tooMany('status_id', FILTER_LIMITS.statuses, 'posts');
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('filter_statuses')
          .values({ id, filter_id: filterId, status_id: statusId, created_at: unit.now })
          .execute();
        told(unit, ownerId);
        return id;
      });
    },

    /** Takes a post off its filter. */
    async removeStatus(actor: Actor, entryId: string): Promise<void> {
      const ownerId = owner(actor);
      await findFilterOf(db.read, ownerId, 'filter_statuses', entryId);
      await run(async (unit) => {
        await unit.tx.deleteFrom('filter_statuses').where('id', '=', entryId).execute();
        told(unit, ownerId);
      });
    },
  };
}

export type FilterCommands = ReturnType<typeof filterCommands>;
