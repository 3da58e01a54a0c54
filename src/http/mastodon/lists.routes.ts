import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { findAccountById } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import {
  findList,
  listMembersPage,
  listsHolding,
  listsOf,
  REPLIES_POLICIES,
  type ListCommands,
  type ListRow,
} from '../../domain/lists/lists.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { listTimeline } from '../../domain/timelines/timelines.views.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountListResponse } from './account-list.ts';
import type { List } from './entities.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeStatus } from './serializers/status.serializer.ts';

const Policy = z.enum(REPLIES_POLICIES as [string, ...string[]]).transform((p) => p as ListRow['replies_policy']);
const ListInput = z.object({
  title: z.string().max(1000).optional(),
  replies_policy: Policy.optional(),
  exclusive: formBool.optional(),
});
const AccountIdsInput = z.object({
  account_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).min(1).max(250)),
});

/** Mastodon's List entity. */
export function serializeList(list: ListRow): List {
  return { id: list.id, title: list.title, replies_policy: list.replies_policy, exclusive: toBool(list.exclusive) };
}

/** What the lists API uses: the list commands, and the reader its pages go through. */
export interface ListRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly lists: ListCommands;
}

/** A member's lists over the API: the lists, their accounts, their timelines, and which lists hold an account. */
export function listsRoutes(deps: ListRouteDeps): RouteDef[] {
  const { read, config, clock, lists } = deps;
  const owner = (c: Context<AppEnv>) => currentUser(c).account;
  const own = (c: Context<AppEnv>) => findList(read, owner(c).id, c.req.param('id')!);
  const answer = async (c: Context<AppEnv>) => c.json(serializeList(await own(c)));

  return [
    {
      method: 'GET',
      path: '/api/v1/lists',
      access: scoped('read:lists'),
      handler: async (c) => c.json((await listsOf(read, owner(c).id)).map(serializeList)),
    },
    {
      method: 'POST',
      path: '/api/v1/lists',
      access: scoped('write:lists'),
      async handler(c) {
        const input = readInput(c, ListInput.extend({ title: z.string().max(1000) }));
        const id = await lists.create(apiActor(owner(c)), {
          title: input.title,
          repliesPolicy: input.replies_policy,
          exclusive: input.exclusive,
        });
        return c.json(serializeList(await findList(read, owner(c).id, id)));
      },
    },
    { method: 'GET', path: '/api/v1/lists/:id', access: scoped('read:lists'), handler: answer },
    {
      method: 'PUT',
      path: '/api/v1/lists/:id',
      access: scoped('write:lists'),
      async handler(c) {
        const input = readInput(c, ListInput);
        await lists.update(apiActor(owner(c)), c.req.param('id')!, {
          title: input.title,
          repliesPolicy: input.replies_policy,
          exclusive: input.exclusive,
        });
        return answer(c);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/lists/:id',
      access: scoped('write:lists'),
      async handler(c) {
        await lists.delete(apiActor(owner(c)), c.req.param('id')!);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/lists/:id/accounts',
      access: scoped('read:lists'),
      async handler(c) {
        const list = await own(c);
        // `limit=0` asks for every account at once, as Mastodon allows (a list holds a bounded number).
        const all = new URL(c.req.url).searchParams.get('limit') === '0';
        const window = all ? { limit: 1000 } : readPage(c, 40, 80);
        const rows = await listMembersPage(read, list.id, window);
        return accountListResponse(c, read, config, rows);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/lists/:id/accounts',
      access: scoped('write:lists'),
      async handler(c) {
        const input = readInput(c, AccountIdsInput);
        await lists.addAccounts(apiActor(owner(c)), c.req.param('id')!, input.account_ids);
        return c.json({});
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/lists/:id/accounts',
      access: scoped('write:lists'),
      async handler(c) {
        const input = readInput(c, AccountIdsInput);
        await lists.removeAccounts(apiActor(owner(c)), c.req.param('id')!, input.account_ids);
        return c.json({});
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/:id/lists',
      access: scoped('read:lists'),
      async handler(c) {
        const account = await findAccountById(read, c.req.param('id')!);
        if (!account) throw new NotFound();
        return c.json((await listsHolding(read, owner(c).id, account.id)).map(serializeList));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/timelines/list/:id',
      access: scoped('read:lists'),
      async handler(c) {
        const list = await own(c);
        const now = isoAt(clock);
        const rows = await listTimeline(read, list, now, readPage(c));
        setLinkHeader(
          c,
          config.publicUrl,
          rows.map((r) => r.id),
        );
        return c.json(
          (await loadStatusViews(read, list.account_id, rows, { context: 'home', now })).map((v) => serializeStatus(v, config)),
        );
      },
    },
  ];
}
