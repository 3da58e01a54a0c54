import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import { announcementsFor, type AnnouncementCommands, type AnnouncementView } from '../../domain/announcements/announcements.ts';
import { emojisFor } from '../../domain/emoji/custom-emojis.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import type { Announcement } from './entities.ts';
import { serializeEmoji } from './serializers/emoji.serializer.ts';

const ListInput = z.object({ with_dismissed: formBool.optional() });

/** What the announcements API uses. */
export interface AnnouncementRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly announcements: AnnouncementCommands;
}

/** The operator's announcements as members read them: the list, dismissing one, reacting to one. */
export function announcementsRoutes(deps: AnnouncementRouteDeps): RouteDef[] {
  const { read, config, clock, announcements } = deps;
  const actorOf = (c: Context<AppEnv>) => apiActor(currentUser(c).account);
  /** Mastodon's Announcement entities, with the custom emoji their text and reactions use. */
  const present = async (views: readonly AnnouncementView[]): Promise<Announcement[]> => {
    const emojis = await emojisFor(
      read,
      views.map((v) => ({ key: v.row.id, domain: null, texts: [v.row.text, ...v.reactions.map((r) => `:${r.name}:`)] })),
    );
    return views.map((v) => {
      const own = new Map((emojis.get(v.row.id) ?? []).map((e) => [e.shortcode, serializeEmoji(e, config)]));
      return {
        id: v.row.id,
        content: v.row.content,
        starts_at: v.row.starts_at,
        ends_at: v.row.ends_at,
        all_day: toBool(v.row.all_day),
        published_at: v.row.published_at,
        updated_at: v.row.updated_at,
        read: v.read,
        mentions: [],
        statuses: [],
        tags: [],
        emojis: [...own.values()].filter((e) => v.row.text.includes(`:${e.shortcode}:`)),
        reactions: v.reactions.map((r) => {
          const custom = own.get(r.name);
          return { name: r.name, count: r.count, me: r.me, ...(custom ? { url: custom.url, static_url: custom.static_url } : {}) };
        }),
      };
    });
  };
  const reaction = (method: 'PUT' | 'DELETE'): RouteDef => ({
    method,
    path: '/api/v1/announcements/:id/reactions/:name',
    access: scoped('write:favourites'),
    async handler(c) {
      await announcements.react(actorOf(c), c.req.param('id')!, c.req.param('name')!, method === 'PUT');
      return c.json({});
    },
  });

  return [
    {
      method: 'GET',
      path: '/api/v1/announcements',
      access: scoped('read'),
      async handler(c) {
        const withDismissed = readInput(c, ListInput).with_dismissed ?? false;
        return c.json(await present(await announcementsFor(read, currentUser(c).account.id, isoAt(clock), { withDismissed })));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/announcements/:id/dismiss',
      access: scoped('write:accounts'),
      async handler(c) {
        await announcements.dismiss(actorOf(c), c.req.param('id')!);
        return c.json({});
      },
    },
    reaction('PUT'),
    reaction('DELETE'),
  ];
}
