import type { Context } from 'hono';
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountById, findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { NotFound } from '../../domain/errors.ts';
import { relationships } from '../../domain/graph/graph.service.ts';
import { isoAt } from '../../lib/clock.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { readPage, setLinkHeader, type Page } from './pagination.ts';
import { serializeAccount } from './serializers/account.serializer.ts';

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

/** Keeps ids before `max_id` and after `since_id`/`min_id` of a cursor column. */
function cursorWindow(column: string, page: Page) {
  const after = page.sinceId ?? page.minId;
  return sql<SqlBool>`(${page.maxId ? sql`${sql.ref(column)} < ${page.maxId}` : sql`1 = 1`} and ${after ? sql`${sql.ref(column)} > ${after}` : sql`1 = 1`})`;
}

/** The social graph over the API: follow, requests, block, mute, relationships, followers and following. */
export function graphRoutes(services: Services): RouteDef[] {
  const { db, config, graph } = services;

  const relationshipTo = async (c: Context<AppEnv>) => {
    const { account } = currentUser(c);
    const [relationship] = await relationships(db.read, account.id, [c.req.param('id')!], isoAt(services.clock));
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
  /** A page of accounts listed through a table with a time-ordered cursor column. */
  const accountPage = async (c: Context<AppEnv>, rows: { cursor: string; account_id: string }[]) => {
    const accounts = new Map(
      (
        await findAccountsByIds(
          db.read,
          rows.map((r) => r.account_id),
        )
      )
        .filter((a) => a.suspended_at === null)
        .map((a) => [a.id, a]),
    );
    const counts = await countAccounts(db.read, [...accounts.keys()]);
    setLinkHeader(
      c,
      config.publicUrl,
      rows.map((r) => r.cursor),
    );
    return c.json(
      rows.flatMap((r) =>
        accounts.has(r.account_id) ? [serializeAccount(accounts.get(r.account_id)!, counts.get(r.account_id)!, config)] : [],
      ),
    );
  };
  /** The signed-in account's requests, blocks or mutes (live ones only), newest first. */
  const accountList = (
    path: string,
    scope: string,
    table: 'follow_requests' | 'blocks' | 'mutes',
    mine: string,
    theirs: string,
  ): RouteDef => ({
    method: 'GET',
    path,
    access: scoped(scope),
    async handler(c) {
      const page = readPage(c, 40, 80);
      const live = table === 'mutes' ? sql`and (expires_at is null or expires_at > ${isoAt(services.clock)})` : sql``;
      const { rows } = await sql<{
        cursor: string;
        account_id: string;
      }>`select id as cursor, ${sql.ref(theirs)} as account_id from ${sql.table(table)}
        where ${sql.ref(mine)} = ${currentUser(c).account.id} ${live} and ${cursorWindow(`${table}.id`, page)}
        order by id desc limit ${page.limit}`.execute(db.kysely);
      return accountPage(c, rows);
    },
  });
  const collection = (kind: 'followers' | 'following'): RouteDef => ({
    method: 'GET',
    path: `/api/v1/accounts/:id/${kind}`,
    access: PUBLIC,
    async handler(c) {
      const owner = await findAccountById(db.read, c.req.param('id')!);
      if (!owner || owner.suspended_at !== null) throw new NotFound();
      if (toBool(owner.hide_collections) && c.var.auth?.account?.id !== owner.id) return c.json([]);
      const page = readPage(c, 40, 80);
      const [mine, theirs] =
        kind === 'followers' ? (['target_account_id', 'account_id'] as const) : (['account_id', 'target_account_id'] as const);
      const rows = await db.read
        .selectFrom('follows')
        .select(['follows.id as cursor', `follows.${theirs} as account_id`])
        .where(`follows.${mine}`, '=', owner.id)
        .where(cursorWindow('follows.id', page))
        .orderBy('follows.id', 'desc')
        .limit(page.limit)
        .execute();
      return accountPage(c, rows);
    },
  });

  return [
    act('follow', 'write:follows', async (c) => {
      const input = readInput(c, FollowInput);
      await graph.follow(currentUser(c).account, c.req.param('id')!, { reblogs: input.reblogs, notify: input.notify });
    }),
    act('unfollow', 'write:follows', (c) => graph.unfollow(currentUser(c).account, c.req.param('id')!)),
    act('remove_from_followers', 'write:follows', (c) => graph.removeFromFollowers(currentUser(c).account, c.req.param('id')!)),
    act('block', 'write:blocks', (c) => graph.block(currentUser(c).account, c.req.param('id')!)),
    act('unblock', 'write:blocks', (c) => graph.unblock(currentUser(c).account, c.req.param('id')!)),
    act('mute', 'write:mutes', async (c) => {
      const input = readInput(c, MuteInput);
      await graph.mute(currentUser(c).account, c.req.param('id')!, {
        notifications: input.notifications,
        durationSeconds: input.duration || undefined,
      });
    }),
    act('unmute', 'write:mutes', (c) => graph.unmute(currentUser(c).account, c.req.param('id')!)),
    act(
      'authorize',
      'write:follows',
      (c) => graph.answerRequest(currentUser(c).account, c.req.param('id')!, true),
      '/api/v1/follow_requests',
    ),
    act(
      'reject',
      'write:follows',
      (c) => graph.answerRequest(currentUser(c).account, c.req.param('id')!, false),
      '/api/v1/follow_requests',
    ),
    {
      method: 'GET',
      path: '/api/v1/accounts/relationships',
      access: scoped('read:follows'),
      async handler(c) {
        const { account } = currentUser(c);
        const { id: ids = [] } = readInput(c, IdsInput);
        const known = new Set((await findAccountsByIds(db.read, ids)).map((a) => a.id));
        return c.json(
          await relationships(
            db.read,
            account.id,
            ids.filter((id) => known.has(id)),
            isoAt(services.clock),
          ),
        );
      },
    },
    collection('followers'),
    collection('following'),
    accountList('/api/v1/follow_requests', 'read:follows', 'follow_requests', 'target_account_id', 'account_id'),
    accountList('/api/v1/blocks', 'read:blocks', 'blocks', 'account_id', 'target_account_id'),
    accountList('/api/v1/mutes', 'read:mutes', 'mutes', 'account_id', 'target_account_id'),
    {
      method: 'GET',
      path: '/api/v1/domain_blocks',
      access: scoped('read:blocks'),
      async handler(c) {
        const rows = await db.read
          .selectFrom('account_domain_blocks')
          .select('domain')
          .where('account_id', '=', currentUser(c).account.id)
          .orderBy('domain')
          .limit(1000)
          .execute();
        return c.json(rows.map((r) => r.domain));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/domain_blocks',
      access: scoped('write:blocks'),
      async handler(c) {
        await graph.blockDomain(currentUser(c).account, readInput(c, DomainInput).domain, true);
        return c.json({});
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/domain_blocks',
      access: scoped('write:blocks'),
      async handler(c) {
        await graph.blockDomain(currentUser(c).account, readInput(c, DomainInput).domain, false);
        return c.json({});
      },
    },
  ];
}
