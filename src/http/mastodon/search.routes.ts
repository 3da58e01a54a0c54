import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import type { AccountRow } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import type { GraphService } from '../../domain/graph/graph.service.ts';
import { followedTagNames, followsTag } from '../../domain/graph/graph.views.ts';
import { findTagName, searchAccounts, searchStatuses, searchTags } from '../../domain/search/search.views.ts';
import type { SearchIndex } from '../../domain/statuses/search-index.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { isHashtagName } from '../../domain/statuses/text-format.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { formBool, readInput } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountEntities } from './account-list.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import type { Search, Tag } from './entities.ts';

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

/** What search and the hashtag API use: the reader, the full-text index, hashtag follows, and remote lookups. */
export interface SearchRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly search: SearchIndex;
  readonly graph: GraphService;
  /** Finds an account of another server by handle or URL (signed-in searchers with `resolve=true`). */
  readonly resolveRemote?: ((query: string) => Promise<AccountRow | null>) | undefined;
}

/** `GET /api/v2/search` (accounts, hashtags, full-text statuses) and the hashtag API. */
export function searchRoutes(deps: SearchRouteDeps): RouteDef[] {
  const { read, config, clock } = deps;
  const tagUrl = (name: string) => `${config.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  const tagEntity = (name: string, following?: boolean): Tag => ({
    name,
    url: tagUrl(name),
    history: [],
    ...(following === undefined ? {} : { following }),
  });
  const accountList = async (accounts: AccountRow[]) => [...(await accountEntities(read, config, accounts)).values()];

  /**
   * Accounts matching a query: an account of another server looked up by handle or URL for a signed-in
   * searcher who asks (`resolve`), else those known here (a full handle finds that account exactly).
   */
  const findAccounts = async (input: z.output<typeof SearchInput>, viewer: AccountRow | null) => {
    const remoteQuery = /^@?[a-zA-Z0-9_.-]+@[a-zA-Z0-9.-]+(:\d+)?$/.test(input.q) || /^https?:\/\//.test(input.q);
    if (input.resolve && viewer && deps.resolveRemote && remoteQuery) {
      const found = await deps.resolveRemote(input.q).catch(() => null);
      if (found) return accountList([found]);
    }
    const handle = /^@?([a-zA-Z0-9_]+)(?:@([a-zA-Z0-9.-]+\.[a-zA-Z]{2,}|[a-zA-Z0-9.-]+:\d+))?$/.exec(input.q);
    const domain = handle?.[2] ? (handle[2].toLowerCase() === config.domain ? null : handle[2].toLowerCase()) : undefined;
    const accounts = await searchAccounts(read, {
      term: input.q.replace(/^@/, ''),
      handle: domain !== undefined ? { username: handle![1]!, domain } : undefined,
      viewerId: viewer?.id ?? null,
      following: input.following,
      limit: input.limit ?? 40,
      offset: input.offset ?? 0,
    });
    return accountList(accounts);
  };

  return [
    {
      // Mastodon's older account search (apps use it to complete mentions): the accounts part of search.
      method: 'GET',
      path: '/api/v1/accounts/search',
      access: scoped('read:accounts'),
      async handler(c) {
        const input = readInput(c, SearchInput.omit({ type: true }));
        return c.json(await findAccounts({ ...input, limit: input.limit ?? 40 }, currentUser(c).account));
      },
    },
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
        const result: Search = { accounts: [], hashtags: [], statuses: [] };

        // Signed-in searchers may look up accounts of other servers by handle or URL (`resolve=true`).
        if (want('accounts')) result.accounts = await findAccounts({ ...input, limit }, viewer);

        if (want('hashtags')) {
          const term = input.q.replace(/^#/, '');
          if (tagName.safeParse(term).success)
            result.hashtags = (await searchTags(read, term, limit, offset)).map((name) => tagEntity(name));
        }

        // Full-text search of posts is for signed-in members, within what they may see and what the operator allows.
        if (want('statuses') && viewer) {
          const rows = await searchStatuses(read, deps.search, {
            q: input.q,
            viewerId: viewer.id,
            now: isoAt(clock),
            scope: config.statusSearch,
            accountId: input.account_id,
            maxId: input.max_id,
            minId: input.min_id,
            limit,
            offset,
          });
          result.statuses = (await loadStatusViews(read, viewer.id, rows)).map((v) => serializeStatus(v, config));
        }
        return c.json(result);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/followed_tags',
      access: scoped('read:follows'),
      async handler(c) {
        return c.json((await followedTagNames(read, currentUser(c).account.id)).map((name) => tagEntity(name, true)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tags/:name',
      access: PUBLIC,
      async handler(c) {
        const name = tagName.safeParse(c.req.param('name'));
        if (!name.success) throw new NotFound();
        const viewer = c.var.auth?.account;
        const following = viewer ? await followsTag(read, viewer.id, name.data) : undefined;
        return c.json(tagEntity((await findTagName(read, name.data)) ?? name.data, following));
      },
    },
    ...(['follow', 'unfollow'] as const).map((action): RouteDef => ({
      method: 'POST',
      path: `/api/v1/tags/:name/${action}`,
      access: scoped('write:follows'),
      async handler(c) {
        const name = tagName.safeParse(c.req.param('name'));
        if (!name.success) throw new NotFound();
        await deps.graph.followTag(apiActor(currentUser(c).account), name.data, action === 'follow');
        return c.json(tagEntity(name.data, action === 'follow'));
      },
    })),
  ];
}
