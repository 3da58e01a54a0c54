import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { findAccountById, findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import type { ProfilePicks } from '../../domain/discovery/profile-picks.ts';
import type { GraphService } from '../../domain/graph/graph.service.ts';
import { domainBlocksOf, followsPage, ownListPage, relationships } from '../../domain/graph/graph.views.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountListResponse } from './account-list.ts';
import type { Relationship } from './entities.ts';
import { readPage } from './pagination.ts';

const FollowInput = z.object({ reblogs: formBool.optional(), notify: formBool.optional() });
const MuteInput = z.object({
  notifications: formBool.optional(),
  duration: z.coerce
    .number()
    .int()
    .min(0)
    .max(60 * 60 * 24 * 365)
    .optional(),
});
const IdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).max(40)).optional() });
const DomainInput = z.object({ domain: z.string().trim().min(1).max(253) });
const NoteInput = z.object({ comment: z.string().max(10_000).optional() });

/** What the graph API uses: the graph commands, and the reader its lists go through. */
export interface GraphRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly graph: GraphService;
  /** Private notes on accounts and endorsements. */
  readonly picks: ProfilePicks;
}

/**
 * The social graph over the API: follow, requests, block, mute, relationships, followers and following,
 * and the marks a member sets on another account (a private note, an endorsement).
 */
export function graphRoutes(deps: GraphRouteDeps): RouteDef[] {
  const { read, config, graph, clock, picks } = deps;
  const actorOf = (c: Context<AppEnv>) => apiActor(currentUser(c).account);

  const relationshipTo = async (c: Context<AppEnv>) => {
    const { account } = currentUser(c);
    const [relationship]: Relationship[] = await relationships(read, account.id, [c.req.param('id')!], isoAt(clock));
    return c.json(relationship);
  };
  const act = (path: string, scope: string, run: (c: Context<AppEnv>) => Promise<void>, prefix = '/api/v1/accounts'): RouteDef => ({
    method: 'POST',
    path: `${prefix}/:id/${path}`,
    access: scoped(scope),
    async handler(c) {
      await run(c);
      return relationshipTo(c);
    },
  });
  /** The signed-in account's requests, blocks or mutes (live ones only), newest first. */
  const ownList = (path: string, scope: string, list: 'follow_requests' | 'blocks' | 'mutes'): RouteDef => ({
    method: 'GET',
    path,
    access: scoped(scope),
    async handler(c) {
      const rows = await ownListPage(read, currentUser(c).account.id, list, readPage(c, 40, 80), isoAt(clock));
      return accountListResponse(c, read, config, rows);
    },
  });
  const collection = (kind: 'followers' | 'following'): RouteDef => ({
    method: 'GET',
    path: `/api/v1/accounts/:id/${kind}`,
    access: PUBLIC,
    async handler(c) {
      const owner = await findAccountById(read, c.req.param('id')!);
      if (!owner || owner.suspended_at !== null) throw new NotFound();
      if (toBool(owner.hide_collections) && c.var.auth?.account?.id !== owner.id) return c.json([]);
      return accountListResponse(c, read, config, await followsPage(read, owner.id, kind, readPage(c, 40, 80)));
    },
  });

  return [
    act('follow', 'write:follows', async (c) => {
      const input = readInput(c, FollowInput);
      await graph.follow(actorOf(c), c.req.param('id')!, { reblogs: input.reblogs, notify: input.notify });
    }),
    act('unfollow', 'write:follows', (c) => graph.unfollow(actorOf(c), c.req.param('id')!)),
    act('remove_from_followers', 'write:follows', (c) => graph.removeFromFollowers(actorOf(c), c.req.param('id')!)),
    act('block', 'write:blocks', (c) => graph.block(actorOf(c), c.req.param('id')!)),
    act('unblock', 'write:blocks', (c) => graph.unblock(actorOf(c), c.req.param('id')!)),
    act('mute', 'write:mutes', async (c) => {
      const input = readInput(c, MuteInput);
      await graph.mute(actorOf(c), c.req.param('id')!, {
        notifications: input.notifications,
        durationSeconds: input.duration || undefined,
      });
    }),
    act('unmute', 'write:mutes', (c) => graph.unmute(actorOf(c), c.req.param('id')!)),
    act('note', 'write:accounts', (c) => picks.setNote(actorOf(c), c.req.param('id')!, readInput(c, NoteInput).comment ?? '')),
    act('pin', 'write:accounts', (c) => picks.endorse(actorOf(c), c.req.param('id')!, true)),
    act('unpin', 'write:accounts', (c) => picks.endorse(actorOf(c), c.req.param('id')!, false)),
    // Mastodon 4.4's names for the same.
    act('endorse', 'write:accounts', (c) => picks.endorse(actorOf(c), c.req.param('id')!, true)),
    act('unendorse', 'write:accounts', (c) => picks.endorse(actorOf(c), c.req.param('id')!, false)),
    act('authorize', 'write:follows', (c) => graph.answerRequest(actorOf(c), c.req.param('id')!, true), '/api/v1/follow_requests'),
    act('reject', 'write:follows', (c) => graph.answerRequest(actorOf(c), c.req.param('id')!, false), '/api/v1/follow_requests'),
    {
      method: 'GET',
      path: '/api/v1/accounts/relationships',
      access: scoped('read:follows'),
      async handler(c) {
        const { account } = currentUser(c);
        const { id: ids = [] } = readInput(c, IdsInput);
        const known = new Set((await findAccountsByIds(read, ids)).map((a) => a.id));
        return c.json(
          await relationships(
            read,
            account.id,
            ids.filter((id) => known.has(id)),
            isoAt(clock),
          ),
        );
      },
    },
    collection('followers'),
    collection('following'),
    ownList('/api/v1/follow_requests', 'read:follows', 'follow_requests'),
    ownList('/api/v1/blocks', 'read:blocks', 'blocks'),
    ownList('/api/v1/mutes', 'read:mutes', 'mutes'),
    {
      method: 'GET',
      path: '/api/v1/domain_blocks',
      access: scoped('read:blocks'),
      async handler(c) {
        return c.json(await domainBlocksOf(read, currentUser(c).account.id));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/domain_blocks',
      access: scoped('write:blocks'),
      async handler(c) {
        await graph.blockDomain(actorOf(c), readInput(c, DomainInput).domain, true);
        return c.json({});
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/domain_blocks',
      access: scoped('write:blocks'),
      async handler(c) {
        await graph.blockDomain(actorOf(c), readInput(c, DomainInput).domain, false);
        return c.json({});
      },
    },
  ];
}
