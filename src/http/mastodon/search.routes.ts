import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import type { AccountRow } from '../../domain/accounts/accounts.repo.ts';
import { NotFound } from '../../domain/errors.ts';
import { loadStatusViews } from '../../domain/statuses/status-views.ts';
import { notMutedBy, visibleTo } from '../../domain/statuses/visibility-policy.ts';
import { upsertTags, type StatusRow } from '../../domain/statuses/statuses.repo.ts';
import { isoAt } from '../../lib/clock.ts';
import { formBool, readInput } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeAccount } from './serializers/account.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import { isHashtagName } from '../../domain/statuses/text-format.ts';

const SearchInput = z
  .object({
    q: z.string().trim().min(1).max(500),
    type: z.enum(['accounts', 'hashtags', 'statuses']).optional(),
    limit: z.coerce.number().int().min(1).max(40).optional(),
    offset: z.coerce.number().int().min(0).max(10_000).optional(),
    following: formBool.optional(),
    account_id: z.string().max(64).optional(),
    max_id: z.string().max(64).optional(),
    min_id: z.string().max(64).optional(),
    resolve: formBool.optional(),
  })
  .loose();

const tagName = z.string().refine(isHashtagName);

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** At most how many matching statuses are checked against the visibility policy at once. */
const LOOKUP_CHUNK = 50;

/** `GET /api/v2/search` (accounts, hashtags, full-text statuses) and the hashtag API. */
export function searchRoutes(services: Services, resolveRemote?: (query: string) => Promise<AccountRow | null>): RouteDef[] {
  const { db, config, clock } = services;
  const tagUrl = (name: string) => `${config.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  const tagEntity = (name: string, following?: boolean) => ({
    name,
    url: tagUrl(name),
    history: [],
    ...(following === undefined ? {} : { following }),
  });

  return [
    {
      method: 'GET',
      path: '/api/v2/search',
      access: PUBLIC,
      async handler(c) {
        const input = readInput(c, SearchInput);
        const viewer = c.var.auth?.account ?? null;
        const limit = input.limit ?? 20;
        const offset = input.offset ?? 0;
        const want = (kind: 'accounts' | 'hashtags' | 'statuses') => !input.type || input.type === kind;
        const result: { accounts: unknown[]; hashtags: unknown[]; statuses: unknown[] } = { accounts: [], hashtags: [], statuses: [] };

        if (want('accounts')) {
          // Signed-in searchers may look up accounts of other servers by handle or URL (`resolve=true`).
          if (
            input.resolve &&
            viewer &&
            resolveRemote &&
            (/^@?[a-zA-Z0-9_.-]+@[a-zA-Z0-9.-]+(:\d+)?$/.test(input.q) || /^https?:\/\//.test(input.q))
          ) {
            const found = await resolveRemote(input.q).catch(() => null);
            if (found) {
              const counts = await countAccounts(db.read, [found.id]);
              result.accounts = [serializeAccount(found, counts.get(found.id)!, config)];
            }
          }
        }
        if (want('accounts') && result.accounts.length === 0) {
          const handle = /^@?([a-zA-Z0-9_]+)(?:@([a-zA-Z0-9.-]+\.[a-zA-Z]{2,}|[a-zA-Z0-9.-]+:\d+))?$/.exec(input.q);
          const term = input.q.replace(/^@/, '').toLowerCase();
          let query = db.read
            .selectFrom('accounts')
            .selectAll()
            .where('suspended_at', 'is', null)
            .where((eb) =>
              eb.or([
                eb(eb.fn('lower', ['username']), 'like', likePrefix(term)),
                eb(eb.fn('lower', ['display_name']), 'like', likePrefix(term)),
              ]),
            );
          if (handle?.[2]) {
            // A full handle (`@name@server`) finds that account exactly.
            const domain = handle[2].toLowerCase() === config.domain ? null : handle[2].toLowerCase();
            query = db.read
              .selectFrom('accounts')
              .selectAll()
              .where('suspended_at', 'is', null)
              .where((eb) => eb(eb.fn('lower', ['username']), '=', handle[1]!.toLowerCase()))
              .where((eb) => (domain === null ? eb('domain', 'is', null) : eb('domain', '=', domain)));
          }
          if (viewer)
            query = query.where(
              sql<SqlBool>`not exists (select 1 from blocks b where (b.account_id = ${viewer.id} and b.target_account_id = accounts.id) or (b.account_id = accounts.id and b.target_account_id = ${viewer.id}))`,
            );
          if (viewer && input.following)
            query = query.where(sql<SqlBool>`accounts.id in (select target_account_id from follows where account_id = ${viewer.id})`);
          const accounts = await query
            .orderBy(sql`case when lower(username) = ${term} then 0 else 1 end`)
            .orderBy('username')
            .limit(limit)
            .offset(offset)
            .execute();
          const counts = await countAccounts(
            db.read,
            accounts.map((a) => a.id),
          );
          result.accounts = accounts.map((a) => serializeAccount(a, counts.get(a.id)!, config));
        }

        if (want('hashtags')) {
          const term = input.q.replace(/^#/, '');
          if (tagName.safeParse(term).success) {
            const tags = await db.read
              .selectFrom('tags')
              .select('name')
              .where((eb) => eb(eb.fn('lower', ['name']), 'like', likePrefix(term.toLowerCase())))
              .orderBy('name')
              .limit(limit)
              .offset(offset)
              .execute();
            result.hashtags = tags.map((t) => tagEntity(t.name));
          }
        }

        // Full-text search of posts is for signed-in members, within what they may see and what the operator allows.
        if (want('statuses') && viewer) {
          const interacted = sql<SqlBool>`(statuses.account_id = ${viewer.id}
            or exists (select 1 from favourites f where f.status_id = statuses.id and f.account_id = ${viewer.id})
            or exists (select 1 from bookmarks k where k.status_id = statuses.id and k.account_id = ${viewer.id})
            or exists (select 1 from mentions m where m.status_id = statuses.id and m.account_id = ${viewer.id})
            or exists (select 1 from statuses r where r.reblog_of_id = statuses.id and r.account_id = ${viewer.id}))`;
          // Matches come newest first; look them up a few at a time, and stop reading as soon as the page is full.
          const rows: StatusRow[] = [];
          // Most matches are visible: the first batch holds about twice the page, and each lookup little
          // more than what is still missing.
          search: for await (const batch of services.search.batches(db.read, input.q, {
            maxId: input.max_id,
            first: 2 * (offset + limit),
          })) {
            const candidates = batch.filter((id) => !input.min_id || id > input.min_id);
            for (let start = 0; start < candidates.length;) {
              const chunk = candidates.slice(start, (start += Math.min(LOOKUP_CHUNK, offset + limit - rows.length + 5)));
              let query = db.read
                .selectFrom('statuses')
                .selectAll('statuses')
                .where('statuses.id', 'in', chunk)
                .where('statuses.reblog_of_id', 'is', null)
                .where(visibleTo(viewer.id))
                .where(notMutedBy(viewer.id, isoAt(clock)));
              if (config.statusSearch === 'interacted') query = query.where(interacted);
              if (config.statusSearch === 'opted-in')
                query = query.where(
                  sql<SqlBool>`(${interacted} or exists (select 1 from accounts o where o.id = statuses.account_id and o.discoverable = ${true}))`,
                );
              if (input.account_id) query = query.where('statuses.account_id', '=', input.account_id);
              rows.push(...(await query.execute()).sort((a, b) => (a.id < b.id ? 1 : -1)));
              if (rows.length >= offset + limit) break search;
            }
          }
          const page = rows.slice(offset, offset + limit);
          result.statuses = (await loadStatusViews(db.read, viewer.id, page)).map((v) => serializeStatus(v, config));
        }
        return c.json(result);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/followed_tags',
      access: scoped('read:follows'),
      async handler(c) {
        const rows = await db.read
          .selectFrom('tag_follows')
          .innerJoin('tags', 'tags.id', 'tag_follows.tag_id')
          .select('tags.name')
          .where('tag_follows.account_id', '=', currentUser(c).account.id)
          .orderBy('tags.name')
          .limit(200)
          .execute();
        return c.json(rows.map((r) => tagEntity(r.name, true)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tags/:name',
      access: PUBLIC,
      async handler(c) {
        const name = tagName.safeParse(c.req.param('name'));
        if (!name.success) throw new NotFound();
        const tag = await db.read
          .selectFrom('tags')
          .select(['id', 'name'])
          .where((eb) => eb(eb.fn('lower', ['name']), '=', name.data.toLowerCase()))
          .executeTakeFirst();
        const viewer = c.var.auth?.account;
        const following =
          viewer && tag
            ? (await db.read
                .selectFrom('tag_follows')
                .select('tag_id')
                .where('account_id', '=', viewer.id)
                .where('tag_id', '=', tag.id)
                .executeTakeFirst()) !== undefined
            : viewer
              ? false
              : undefined;
        return c.json(tagEntity(tag?.name ?? name.data, following));
      },
    },
    ...(['follow', 'unfollow'] as const).map((action): RouteDef => ({
      method: 'POST',
      path: `/api/v1/tags/:name/${action}`,
      access: scoped('write:follows'),
      async handler(c) {
        const name = tagName.safeParse(c.req.param('name'));
        if (!name.success) throw new NotFound();
        const { account } = currentUser(c);
        const now = isoAt(clock);
        await db.transaction(async (tx) => {
          if (action === 'follow') {
            const [tagId] = await upsertTags(tx, [name.data], now);
            await tx
              .insertInto('tag_follows')
              .values({ account_id: account.id, tag_id: tagId!, created_at: now })
              .onConflict((oc) => oc.doNothing())
              .execute();
            return;
          }
          const tag = await tx
            .selectFrom('tags')
            .select('id')
            .where((eb) => eb(eb.fn('lower', ['name']), '=', name.data.toLowerCase()))
            .executeTakeFirst();
          if (tag) await tx.deleteFrom('tag_follows').where('account_id', '=', account.id).where('tag_id', '=', tag.id).execute();
        });
        services.changes.emit({ kind: 'viewers', ids: [account.id] });
        return c.json(tagEntity(name.data, action === 'follow'));
      },
    })),
  ];
}
