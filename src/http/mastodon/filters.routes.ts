import type { Context } from 'hono';
import { z } from 'zod';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import {
  FILTER_ACTIONS,
  FILTER_CONTEXTS,
  FILTER_LIMITS,
  filtersOf,
  findFilter,
  findFilterOf,
  type FilterCommands,
  type FilterRecord,
} from '../../domain/filters/filters.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { FilterAction, FilterContext } from '../../storage/db/schema.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeFilter, serializeFilterStatus, serializeKeyword, serializeV1Filter } from './serializers/filter.serializer.ts';

const Context_ = z.enum(FILTER_CONTEXTS as [FilterContext, ...FilterContext[]]);
const Contexts = stringList(Context_).pipe(z.array(Context_).min(1).max(FILTER_CONTEXTS.length));
const Action = z.enum(FILTER_ACTIONS as [FilterAction, ...FilterAction[]]);
const Text = z.string().max(1000);
/** Seconds from now; an empty value (or null) is no expiry. */
const ExpiresIn = z.union([
  z.literal('').transform(() => null),
  z.null(),
  z.coerce
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 86400),
]);
const KeywordAttribute = z.object({
  id: z.string().max(64).optional(),
  keyword: Text.optional(),
  whole_word: formBool.optional(),
  _destroy: formBool.optional(),
});
// Rails reads `keywords_attributes` as a list or as an object keyed by position; both arrive here.
const KeywordAttributes = z
  .union([z.array(KeywordAttribute), z.record(z.string(), KeywordAttribute).transform((byIndex) => Object.values(byIndex))])
  .refine((list) => list.length <= FILTER_LIMITS.keywords, { error: `at most ${FILTER_LIMITS.keywords} keywords` });
const FilterInput = z.object({
  title: Text.optional(),
  context: Contexts.optional(),
  filter_action: Action.optional(),
  expires_in: ExpiresIn.optional(),
  keywords_attributes: KeywordAttributes.optional(),
});
const KeywordInput = z.object({ keyword: Text, whole_word: formBool.optional() });
const V1Input = z.object({
  phrase: Text.optional(),
  context: Contexts.optional(),
  irreversible: formBool.optional(),
  whole_word: formBool.optional(),
  expires_in: ExpiresIn.optional(),
});

/** What the filters API uses: the filter commands, the reader and the clock (for expiries). */
export interface FilterRouteDeps {
  readonly clock: Clock;
  readonly read: DbReader;
  readonly filters: FilterCommands;
}

/** A member's filters over the API: v2 (filters with keywords and posts) and v1 (one keyword each) for old apps. */
export function filtersRoutes(deps: FilterRouteDeps): RouteDef[] {
  const { read, clock, filters } = deps;
  const me = (c: Context<AppEnv>) => currentUser(c).account;
  const actor = (c: Context<AppEnv>) => apiActor(me(c));
  const expiry = (seconds: number | null | undefined) =>
    seconds === undefined ? undefined : seconds === null ? null : isoAt(clock, seconds * 1000);
  const one = async (c: Context<AppEnv>, id: string) => c.json(serializeFilter(await findFilter(read, me(c).id, id)));
  const keywordOf = (record: FilterRecord, id: string) => {
    const keyword = record.keywords.find((k) => k.id === id);
    if (!keyword) throw new NotFound();
    return keyword;
  };
  const v1 = async (c: Context<AppEnv>, keywordId: string) => {
    const record = await findFilterOf(read, me(c).id, 'filter_keywords', keywordId);
    return c.json(serializeV1Filter(record, keywordOf(record, keywordId)));
  };
  const read_ = scoped('read:filters');
  const write = scoped('write:filters');

  return [
    {
      method: 'GET',
      path: '/api/v2/filters',
      access: read_,
      handler: async (c) => c.json((await filtersOf(read, me(c).id)).map((r) => serializeFilter(r))),
    },
    {
      method: 'POST',
      path: '/api/v2/filters',
      access: write,
      async handler(c) {
        const input = readInput(c, FilterInput.extend({ title: Text, context: Contexts }));
        const id = await filters.create(actor(c), {
          title: input.title,
          context: input.context,
          action: input.filter_action,
          expiresAt: expiry(input.expires_in) ?? null,
          keywords: (input.keywords_attributes ?? []).map((k) => ({ keyword: k.keyword, wholeWord: k.whole_word, destroy: k._destroy })),
        });
        return one(c, id);
      },
    },
    {
      method: 'GET',
      path: '/api/v2/filters/keywords/:id',
      access: read_,
      async handler(c) {
        const id = c.req.param('id')!;
        return c.json(serializeKeyword(keywordOf(await findFilterOf(read, me(c).id, 'filter_keywords', id), id)));
      },
    },
    {
      method: 'PUT',
      path: '/api/v2/filters/keywords/:id',
      access: write,
      async handler(c) {
        const id = c.req.param('id')!;
        const input = readInput(c, KeywordInput.partial());
        await filters.updateKeyword(actor(c), id, { keyword: input.keyword, wholeWord: input.whole_word });
        return c.json(serializeKeyword(keywordOf(await findFilterOf(read, me(c).id, 'filter_keywords', id), id)));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/filters/keywords/:id',
      access: write,
      async handler(c) {
        await filters.removeKeyword(actor(c), c.req.param('id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v2/filters/statuses/:id',
      access: read_,
      async handler(c) {
        const id = c.req.param('id')!;
        const record = await findFilterOf(read, me(c).id, 'filter_statuses', id);
        return c.json(serializeFilterStatus(record.statuses.find((s) => s.id === id)!));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/filters/statuses/:id',
      access: write,
      async handler(c) {
        await filters.removeStatus(actor(c), c.req.param('id')!);
        return c.json({});
      },
    },
    { method: 'GET', path: '/api/v2/filters/:id', access: read_, handler: (c) => one(c, c.req.param('id')!) },
    {
      method: 'PUT',
      path: '/api/v2/filters/:id',
      access: write,
      async handler(c) {
        const input = readInput(c, FilterInput);
        await filters.update(actor(c), c.req.param('id')!, {
          title: input.title,
          context: input.context,
          action: input.filter_action,
          expiresAt: expiry(input.expires_in),
          keywords: input.keywords_attributes?.map((k) => ({ id: k.id, keyword: k.keyword, wholeWord: k.whole_word, destroy: k._destroy })),
        });
        return one(c, c.req.param('id')!);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/filters/:id',
      access: write,
      async handler(c) {
        await filters.delete(actor(c), c.req.param('id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v2/filters/:id/keywords',
      access: read_,
      handler: async (c) => c.json((await findFilter(read, me(c).id, c.req.param('id')!)).keywords.map(serializeKeyword)),
    },
    {
      method: 'POST',
      path: '/api/v2/filters/:id/keywords',
      access: write,
      async handler(c) {
        const input = readInput(c, KeywordInput);
        const id = await filters.addKeyword(actor(c), c.req.param('id')!, input.keyword, input.whole_word ?? true);
        return c.json(serializeKeyword(keywordOf(await findFilterOf(read, me(c).id, 'filter_keywords', id), id)));
      },
    },
    {
      method: 'GET',
      path: '/api/v2/filters/:id/statuses',
      access: read_,
      handler: async (c) => c.json((await findFilter(read, me(c).id, c.req.param('id')!)).statuses.map(serializeFilterStatus)),
    },
    {
      method: 'POST',
      path: '/api/v2/filters/:id/statuses',
      access: write,
      async handler(c) {
        const input = readInput(c, z.object({ status_id: z.string().max(64) }));
        const id = await filters.addStatus(actor(c), c.req.param('id')!, input.status_id);
        const record = await findFilterOf(read, me(c).id, 'filter_statuses', id);
        return c.json(serializeFilterStatus(record.statuses.find((s) => s.id === id)!));
      },
    },
    // v1: each keyword of each filter is one filter.
    {
      method: 'GET',
      path: '/api/v1/filters',
      access: read_,
      handler: async (c) => c.json((await filtersOf(read, me(c).id)).flatMap((r) => r.keywords.map((k) => serializeV1Filter(r, k)))),
    },
    {
      method: 'POST',
      path: '/api/v1/filters',
      access: write,
      async handler(c) {
        const input = readInput(c, V1Input.extend({ phrase: Text, context: Contexts }));
        const filterId = await filters.create(actor(c), {
          title: input.phrase,
          context: input.context,
          action: input.irreversible ? 'hide' : 'warn',
          expiresAt: expiry(input.expires_in) ?? null,
          keywords: [{ keyword: input.phrase, wholeWord: input.whole_word ?? true }],
        });
        const record = await findFilter(read, me(c).id, filterId);
        return c.json(serializeV1Filter(record, record.keywords[0]!));
      },
    },
    { method: 'GET', path: '/api/v1/filters/:id', access: read_, handler: (c) => v1(c, c.req.param('id')!) },
    {
      method: 'PUT',
      path: '/api/v1/filters/:id',
      access: write,
      async handler(c) {
        const id = c.req.param('id')!;
        const input = readInput(c, V1Input);
        const record = await findFilterOf(read, me(c).id, 'filter_keywords', id);
        await filters.update(actor(c), record.filter.id, {
          context: input.context,
          action: input.irreversible === undefined ? undefined : input.irreversible ? 'hide' : 'warn',
          expiresAt: expiry(input.expires_in),
          keywords: [{ id, keyword: input.phrase, wholeWord: input.whole_word }],
        });
        return v1(c, id);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/filters/:id',
      access: write,
      async handler(c) {
        await filters.removeKeyword(actor(c), c.req.param('id')!, { dropEmpty: true });
        return c.json({});
      },
    },
  ];
}
