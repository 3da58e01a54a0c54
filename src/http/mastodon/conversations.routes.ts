import type { Context } from 'hono';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import {
  conversationsOf,
  findConversation,
  type ConversationCommands,
  type ConversationSummary,
} from '../../domain/conversations/conversations.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import type { Conversation } from './entities.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { accountsInOrder } from './account-list.ts';
import { serializeStatus } from './serializers/status.serializer.ts';

/** What the conversations API uses. */
export interface ConversationRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly conversations: ConversationCommands;
}

/** Direct conversations: the list (newest post first), read, remove. */
export function conversationsRoutes(deps: ConversationRouteDeps): RouteDef[] {
  const { read, config, clock, conversations } = deps;
  const me = (c: Context<AppEnv>) => currentUser(c).account;

  /** Mastodon's Conversation entities: each with its other participants and its newest post. */
  const present = async (viewerId: string, list: readonly ConversationSummary[]): Promise<Conversation[]> => {
    const ids = [...new Set(list.flatMap((s) => (s.participantIds.length ? s.participantIds : [viewerId])))];
    const accounts = await accountsInOrder(read, config, ids);
    const views = new Map(
      (
        await loadStatusViews(
          read,
          viewerId,
          list.map((s) => s.lastStatus),
          { context: null, now: isoAt(clock) },
        )
      ).map((v) => [v.status.id, v]),
    );
    return list.flatMap((s) => {
      const view = views.get(s.lastStatus.id);
      if (!view) return [];
      const people = s.participantIds.length ? s.participantIds : [viewerId];
      return [
        {
          id: s.id,
          unread: s.unread,
          accounts: people.flatMap((id) => accounts.get(id) ?? []),
          last_status: serializeStatus(view, config),
        },
      ];
    });
  };

  return [
    {
      method: 'GET',
      path: '/api/v1/conversations',
      access: scoped('read:statuses'),
      async handler(c) {
        const viewerId = me(c).id;
        const list = await conversationsOf(read, viewerId, readPage(c));
        setLinkHeader(
          c,
          config.publicUrl,
          list.map((s) => s.lastStatus.id),
        );
        return c.json(await present(viewerId, list));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/conversations/:id/read',
      access: scoped('write:conversations'),
      async handler(c) {
        const viewer = me(c);
        await conversations.markRead(apiActor(viewer), c.req.param('id')!);
        const [entity] = await present(viewer.id, [await findConversation(read, viewer.id, c.req.param('id')!)]);
        return c.json(entity);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/conversations/:id',
      access: scoped('write:conversations'),
      async handler(c) {
        await conversations.remove(apiActor(me(c)), c.req.param('id')!);
        return c.json({});
      },
    },
  ];
}
