import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import type { HomeCache } from '../../domain/timelines/home-cache.ts';
import { findAccountById } from '../../domain/accounts/accounts.repo.ts';
import { NotFound, Unauthorized } from '../../domain/errors.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import type { StatusRow } from '../../domain/statuses/statuses.repo.ts';
import {
  accountTimeline,
  homeInputs,
  homeTimeline,
  markedStatuses,
  publicTimeline,
  tagTimeline,
} from '../../domain/timelines/timelines.views.ts';
import type { FilterContext } from '../../storage/db/schema.ts';
import type { CachedPage } from '../../domain/timelines/home-cache.ts';
import { shownIn } from '../../domain/statuses/statuses.views.ts';
import { isoAt } from '../../lib/clock.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { linkHeader, readPage, setLinkHeader } from './pagination.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import { isHashtagName } from '../../domain/statuses/text-format.ts';

const PublicInput = z.object({ local: formBool.optional(), remote: formBool.optional(), only_media: formBool.optional() }).loose();
const tagName = z.string().trim().refine(isHashtagName, { error: 'is not a hashtag' });
const TagInput = PublicInput.extend({
  any: stringList(tagName).optional(),
  all: stringList(tagName).optional(),
  none: stringList(tagName).optional(),
});
const AccountStatusesInput = z
  .object({
    exclude_replies: formBool.optional(),
    exclude_reblogs: formBool.optional(),
    only_media: formBool.optional(),
    pinned: formBool.optional(),
    tagged: tagName.optional(),
  })
  .loose();

/** What the timelines use: the reader, and the home page cache when this process keeps one. */
export interface TimelinesRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly homeCache: HomeCache | null;
}

/** Timelines: home, public (local, remote), hashtag, an account's posts, bookmarks and favourites. */
export function timelinesRoutes(deps: TimelinesRouteDeps): RouteDef[] {
  const { read, config, clock } = deps;
  const viewerOf = (c: Context<AppEnv>) => c.var.auth?.account?.id ?? null;
  const send = async (c: Context<AppEnv>, context: FilterContext | null, rows: StatusRow[], cursors = rows.map((r) => r.id)) => {
    setLinkHeader(c, config.publicUrl, cursors);
    const views = await loadStatusViews(read, viewerOf(c), rows, { context, now: isoAt(clock) });
    return c.json(views.map((v) => serializeStatus(v, config)));
  };
  const sendJson = (c: Context<AppEnv>, page: CachedPage) => {
    if (page.link !== null) c.header('Link', page.link);
    return c.body(page.body, 200, { 'Content-Type': 'application/json' });
  };
  const requireSignInIfConfigured = (c: Context<AppEnv>) => {
    if (config.publicTimelines === 'signed-in' && !c.var.auth?.account)
      throw new Unauthorized('This server shows its timelines to signed-in members only');
  };

  return [
    {
      method: 'GET',
      path: '/api/v1/timelines/home',
      access: scoped('read:statuses'),
      async handler(c) {
        const viewerId = currentUser(c).account.id;
        const cache = deps.homeCache;
        const page = readPage(c);
        if (!cache) return send(c, 'home', await homeTimeline(read, viewerId, isoAt(clock), page));
        // The key is the whole query string: the Link header repeats every parameter but the cursors.
        const key = new URL(c.req.url).search;
        const hit = cache.get(viewerId, key);
        if (hit) return sendJson(c, hit);
        const ticket = cache.begin();
        const now = isoAt(clock);
        const rows = await homeTimeline(read, viewerId, now, page);
        const views = await loadStatusViews(read, viewerId, rows, { context: 'home', now });
        const sent = {
          body: Buffer.from(JSON.stringify(views.map((v) => serializeStatus(v, config)))),
          link: linkHeader(
            c,
            config.publicUrl,
            rows.map((r) => r.id),
          ),
        };
        cache.put(ticket, viewerId, key, sent, { ...shownIn(rows, views), ...(await homeInputs(read, viewerId, now)) });
        return sendJson(c, sent);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/timelines/public',
      access: PUBLIC,
      async handler(c) {
        requireSignInIfConfigured(c);
        const input = readInput(c, PublicInput);
        return send(
          c,
          'public',
          await publicTimeline(read, viewerOf(c), isoAt(clock), readPage(c), {
            local: input.local,
            remote: input.remote,
            onlyMedia: input.only_media,
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v1/timelines/tag/:hashtag',
      access: PUBLIC,
      async handler(c) {
        requireSignInIfConfigured(c);
        const input = readInput(c, TagInput);
        const hashtag = tagName.safeParse(c.req.param('hashtag'));
        if (!hashtag.success) throw new NotFound();
        return send(
          c,
          'public',
          await tagTimeline(read, viewerOf(c), isoAt(clock), readPage(c), {
            name: hashtag.data,
            any: input.any,
            all: input.all,
            none: input.none,
            local: input.local,
            remote: input.remote,
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/:id/statuses',
      access: PUBLIC,
      async handler(c) {
        const account = await findAccountById(read, c.req.param('id')!);
        if (!account || account.suspended_at !== null) throw new NotFound();
        const input = readInput(c, AccountStatusesInput);
        return send(
          c,
          'account',
          await accountTimeline(read, viewerOf(c), isoAt(clock), account.id, readPage(c), {
            excludeReplies: input.exclude_replies,
            excludeReblogs: input.exclude_reblogs,
            onlyMedia: input.only_media,
            pinned: input.pinned,
            tagged: input.tagged,
          }),
        );
      },
    },
    ...(['bookmarks', 'favourites'] as const).map((table): RouteDef => ({
      method: 'GET',
      path: `/api/v1/${table}`,
      access: scoped(`read:${table}`),
      async handler(c) {
        const marked = await markedStatuses(read, currentUser(c).account.id, table, readPage(c));
        return send(
          c,
          null,
          marked.map((m) => m.status),
          marked.map((m) => m.cursor),
        );
      },
    })),
  ];
}
