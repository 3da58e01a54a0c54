import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { staffOf } from '../../domain/moderation/staff.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import {
  trendingLinks,
  trendingStatuses,
  trendingTags,
  type TrendAudience,
  type TrendCommands,
  type TrendDay,
} from '../../domain/trends/trends.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { TrendKind } from '../../storage/db/schema.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput } from '../shared/input.ts';
import { currentUser, PUBLIC, staffOnly, type RouteDef } from '../shared/route-table.ts';
import { serializeCard } from './serializers/card.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';

const PageInput = (max: number) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(max).optional(),
    offset: z.coerce.number().int().min(0).max(1000).optional(),
  });

/** What the trends API uses. */
export interface TrendRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly trends: TrendCommands;
}

/** Mastodon's history entries: strings, the newest day first. */
const history = (days: readonly TrendDay[]) =>
  days.map((d) => ({ day: String(d.day), uses: String(d.uses), accounts: String(d.accounts) }));

/**
 * Trends (`/api/v1/trends/tags`, `statuses`, `links`): what recent public posts share most, as moderators
 * let it trend; and the admin API's review of it (`/api/v1/admin/trends/...`, approve and reject).
 */
export function trendsRoutes(deps: TrendRouteDeps): RouteDef[] {
  const { read, config, clock } = deps;
  const viewerOf = (c: Context<AppEnv>) => c.var.auth?.account?.id ?? null;
  const tagUrl = (name: string) => `${config.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  const page = (c: Context<AppEnv>, fallback: number, max: number) => {
    const input = readInput(c, PageInput(max));
    return { limit: input.limit ?? fallback, offset: input.offset ?? 0 };
  };

  const tags = (audience: TrendAudience) => async (c: Context<AppEnv>) => {
    const found = await trendingTags(read, isoAt(clock), { audience, ...page(c, 10, 20) });
    return c.json(
      found.map((t) => ({
        ...(audience === 'review'
          ? { id: t.id, trendable: t.trendable === true, requires_review: t.trendable === null, usable: true }
          : {}),
        name: t.name,
        url: tagUrl(t.name),
        history: history(t.history),
      })),
    );
  };
  const statuses = (audience: TrendAudience) => async (c: Context<AppEnv>) => {
    const viewer = audience === 'public' ? viewerOf(c) : null;
    const found = await trendingStatuses(read, viewer, isoAt(clock), { audience, ...page(c, 20, 40) });
    const views = await loadStatusViews(
      read,
      viewer,
      found.map((f) => f.status),
      { context: 'public', now: isoAt(clock) },
    );
    const review = new Map(found.map((f) => [f.status.id, f.trendable]));
    return c.json(
      views.map((v) => ({
        ...serializeStatus(v, config),
        ...(audience === 'review' ? { trendable: review.get(v.status.id) !== false, requires_review: false } : {}),
      })),
    );
  };
  const links = (audience: TrendAudience) => async (c: Context<AppEnv>) => {
    const found = await trendingLinks(read, isoAt(clock), { audience, ...page(c, 10, 20) });
    const cards = new Map(
      (
        await read
          .selectFrom('preview_cards')
          .selectAll()
          .where('id', 'in', found.length ? found.map((f) => f.id) : [''])
          .execute()
      ).map((card) => [card.id, card]),
    );
    return c.json(
      found.flatMap((f) => {
        const card = cards.get(f.id);
        if (!card) return [];
        return [
          {
            ...(audience === 'review' ? { id: f.id, trendable: f.trendable === true, requires_review: f.trendable === null } : {}),
            ...serializeCard(card, config),
            history: history(f.history),
          },
        ];
      }),
    );
  };
  const review = (kind: TrendKind, path: string, trendable: boolean): RouteDef => ({
    method: 'POST',
    path: `/api/v1/admin/trends/${path}/:id/${trendable ? 'approve' : 'reject'}`,
    access: staffOnly('admin:write'),
    async handler(c) {
      const { account, user } = currentUser(c);
      await deps.trends.review(staffOf(account, user), kind, c.req.param('id')!, trendable);
      return c.json({});
    },
  });

  return [
    { method: 'GET', path: '/api/v1/trends/tags', access: PUBLIC, handler: tags('public') },
    // The pre-3.5 path of the same.
    { method: 'GET', path: '/api/v1/trends', access: PUBLIC, handler: tags('public') },
    { method: 'GET', path: '/api/v1/trends/statuses', access: PUBLIC, handler: statuses('public') },
    { method: 'GET', path: '/api/v1/trends/links', access: PUBLIC, handler: links('public') },
    { method: 'GET', path: '/api/v1/admin/trends/tags', access: staffOnly('admin:read'), handler: tags('review') },
    { method: 'GET', path: '/api/v1/admin/trends/statuses', access: staffOnly('admin:read'), handler: statuses('review') },
    { method: 'GET', path: '/api/v1/admin/trends/links', access: staffOnly('admin:read'), handler: links('review') },
    review('tag', 'tags', true),
    review('tag', 'tags', false),
    review('status', 'statuses', true),
    review('status', 'statuses', false),
    review('link', 'links', true),
    review('link', 'links', false),
  ];
}
