import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { findAccountById, isShown } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import {
  endorsementsPage,
  featuredTagsOf,
  featuredTagSuggestions,
  type FeaturedTagView,
  type ProfilePicks,
} from '../../domain/discovery/profile-picks.ts';
import { directoryPage, familiarFollowers, suggestionsFor, type SuggestionCommands } from '../../domain/discovery/suggestions.ts';
import { NotFound } from '../../domain/errors.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountListResponse, accountsInOrder } from './account-list.ts';
import type { FeaturedTag, Tag } from './entities.ts';
import { readPage } from './pagination.ts';

const DirectoryInput = z.object({
  offset: z.coerce.number().int().min(0).max(10_000).optional(),
  limit: z.coerce.number().int().min(1).max(80).optional(),
  order: z.enum(['active', 'new']).optional(),
  local: formBool.optional(),
});
const SuggestionsInput = z.object({ limit: z.coerce.number().int().min(1).max(80).optional() });
const IdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).max(40)).optional() });
const FeatureInput = z.object({ name: z.string().max(200) });

/** What the discovery API uses. */
export interface DiscoveryRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly picks: ProfilePicks;
  readonly suggestions: SuggestionCommands;
}

/**
 * Finding people and showing them: the profile directory, follow suggestions, familiar followers,
 * endorsements and featured hashtags.
 */
export function discoveryRoutes(deps: DiscoveryRouteDeps): RouteDef[] {
  const { read, config, picks } = deps;
  const viewerOf = (c: Context<AppEnv>) => c.var.auth?.account ?? null;
  const tagUrl = (name: string) => `${config.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  const featured = (t: FeaturedTagView): FeaturedTag => ({
    id: t.id,
    name: t.name,
    url: tagUrl(t.name),
    statuses_count: t.statusesCount,
    last_status_at: t.lastStatusAt ? t.lastStatusAt.slice(0, 10) : null,
  });
  /** A profile anyone may look at: it exists, is not suspended and is shown. */
  const shownAccount = async (c: Context<AppEnv>) => {
    const account = await findAccountById(read, c.req.param('id')!);
    if (!account || account.suspended_at !== null || !(await isShown(read, account))) throw new NotFound();
    return account;
  };

  return [
    {
      method: 'GET',
      path: '/api/v1/directory',
      access: PUBLIC,
      async handler(c) {
        const input = readInput(c, DirectoryInput);
        const ids = await directoryPage(read, {
          viewerId: viewerOf(c)?.id ?? null,
          order: input.order ?? 'active',
          local: input.local ?? false,
          limit: input.limit ?? 40,
          offset: input.offset ?? 0,
        });
        return c.json([...(await accountsInOrder(read, config, ids)).values()]);
      },
    },
    {
      method: 'GET',
      path: '/api/v2/suggestions',
      access: scoped('read'),
      async handler(c) {
        const limit = readInput(c, SuggestionsInput).limit ?? 40;
        const found = await suggestionsFor(read, currentUser(c).account.id, limit);
        const accounts = await accountsInOrder(
          read,
          config,
          found.map((s) => s.accountId),
        );
        return c.json(
          found.flatMap((s) => {
            const account = accounts.get(s.accountId);
            // `source` is the pre-4.3 single reason, in its older vocabulary.
            return account
              ? [{ source: s.sources[0] === 'most_followed' ? 'global' : 'past_interactions', sources: s.sources, account }]
              : [];
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v1/suggestions',
      access: scoped('read'),
      async handler(c) {
        const limit = readInput(c, SuggestionsInput).limit ?? 40;
        const found = await suggestionsFor(read, currentUser(c).account.id, limit);
        return c.json([
          ...(
            await accountsInOrder(
              read,
              config,
              found.map((s) => s.accountId),
            )
          ).values(),
        ]);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/suggestions/:account_id',
      access: scoped('read'),
      async handler(c) {
        await deps.suggestions.dismiss(apiActor(currentUser(c).account), c.req.param('account_id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/familiar_followers',
      access: scoped('read:follows'),
      async handler(c) {
        const ids = [...new Set(readInput(c, IdsInput).id ?? [])];
        const familiar = await familiarFollowers(read, currentUser(c).account.id, ids);
        const accounts = await accountsInOrder(read, config, [...familiar.values()].flat());
        return c.json(ids.map((id) => ({ id, accounts: familiar.get(id)!.flatMap((f) => (accounts.has(f) ? [accounts.get(f)!] : [])) })));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/endorsements',
      access: scoped('read:accounts'),
      async handler(c) {
        return accountListResponse(c, read, config, await endorsementsPage(read, currentUser(c).account.id, readPage(c, 40, 80)));
      },
    },
    {
      // Anyone may see whom a profile endorses, unless it hides its network.
      method: 'GET',
      path: '/api/v1/accounts/:id/endorsements',
      access: PUBLIC,
      async handler(c) {
        const account = await shownAccount(c);
        if (toBool(account.hide_collections) && viewerOf(c)?.id !== account.id) return c.json([]);
        return accountListResponse(c, read, config, await endorsementsPage(read, account.id, readPage(c, 40, 80)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/featured_tags',
      access: scoped('read:accounts'),
      handler: async (c) => c.json((await featuredTagsOf(read, currentUser(c).account.id)).map(featured)),
    },
    {
      method: 'POST',
      path: '/api/v1/featured_tags',
      access: scoped('write:accounts'),
      async handler(c) {
        const owner = currentUser(c).account;
        const id = await picks.featureTag(apiActor(owner), readInput(c, FeatureInput).name);
        const tag = (await featuredTagsOf(read, owner.id)).find((t) => t.id === id)!;
        return c.json(featured(tag));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/featured_tags/suggestions',
      access: scoped('read:accounts'),
      async handler(c) {
        const names = await featuredTagSuggestions(read, currentUser(c).account.id);
        return c.json(names.map((name): Tag => ({ name, url: tagUrl(name), history: [] })));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/featured_tags/:id',
      access: scoped('write:accounts'),
      async handler(c) {
        await picks.unfeatureTag(apiActor(currentUser(c).account), c.req.param('id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/:id/featured_tags',
      access: PUBLIC,
      handler: async (c) => c.json((await featuredTagsOf(read, (await shownAccount(c)).id)).map(featured)),
    },
  ];
}
