import { sql, type SqlBool, type Expression } from 'kysely';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { isLocal, type Actor } from '../actor.ts';
import { Forbidden } from '../errors.ts';
import type { RunCommand } from '../unit-of-work.ts';

/** Why an account is suggested, in Mastodon's words. */
export type SuggestionSource = 'friends_of_friends' | 'most_followed';

/** A suggested account and why. */
export interface Suggestion {
  readonly accountId: string;
  readonly sources: readonly SuggestionSource[];
}

/**
 * Accounts anyone may be shown in discovery: not suspended, limited or moved, discoverable, and (for a
 * local account) confirmed and approved. `viewerId`: none the viewer blocks, mutes or is blocked by.
 */
function discoverable(viewerId: string | null): Expression<SqlBool> {
  const base = sql<SqlBool>`accounts.suspended_at is null and accounts.silenced_at is null and accounts.moved_to_account_id is null
    and accounts.discoverable = ${true}
    and not exists (select 1 from users u where u.account_id = accounts.id and (u.confirmed_at is null or u.approved_at is null or u.disabled_at is not null))`;
  if (viewerId === null) return base;
  return sql<SqlBool>`${base} and accounts.id <> ${viewerId}
    and not exists (select 1 from blocks b where (b.account_id = ${viewerId} and b.target_account_id = accounts.id) or (b.account_id = accounts.id and b.target_account_id = ${viewerId}))
    and not exists (select 1 from mutes m where m.account_id = ${viewerId} and m.target_account_id = accounts.id)
    and (accounts.domain is null or accounts.domain not in (select d.domain from account_domain_blocks d where d.account_id = ${viewerId}))`;
}

/** How the profile directory is asked. */
export interface DirectoryQuery {
  readonly viewerId: string | null;
  /** `active`: the latest posters first; `new`: the newest accounts first. */
  readonly order: 'active' | 'new';
  /** Only this server's accounts. */
  readonly local: boolean;
  readonly limit: number;
  readonly offset: number;
}

/** The profile directory: discoverable accounts that have posted, by activity or by age. */
export async function directoryPage(db: DbReader, q: DirectoryQuery): Promise<string[]> {
  let query = db
    .selectFrom('accounts')
    .innerJoin('account_stats', 'account_stats.account_id', 'accounts.id')
    .select('accounts.id')
    .where(discoverable(q.viewerId))
    .where('account_stats.last_status_at', 'is not', null);
  if (q.local) query = query.where('accounts.domain', 'is', null);
  query = q.order === 'new' ? query.orderBy('accounts.created_at', 'desc') : query.orderBy('account_stats.last_status_at', 'desc');
  const rows = await query.orderBy('accounts.id', 'desc').limit(q.limit).offset(q.offset).execute();
  return rows.map((r) => r.id);
}

/**
 * Whom the viewer might follow: accounts followed by the accounts they follow (the most shared first),
 * then this server's most followed accounts; never an account they follow, asked to follow, dismissed,
 * block, mute or are blocked by.
 */
export async function suggestionsFor(db: DbReader, viewerId: string, limit: number): Promise<Suggestion[]> {
  const fresh = sql<SqlBool>`${discoverable(viewerId)}
    and accounts.id not in (select target_account_id from follows where account_id = ${viewerId})
    and accounts.id not in (select target_account_id from follow_requests where account_id = ${viewerId})
    and accounts.id not in (select target_account_id from suggestion_dismissals where account_id = ${viewerId})`;
  const friends = await db
    .selectFrom('follows as f2')
    .innerJoin('accounts', 'accounts.id', 'f2.target_account_id')
    .select(['accounts.id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('f2.account_id', 'in', (eb) => eb.selectFrom('follows').select('target_account_id').where('account_id', '=', viewerId))
    .where(fresh)
    .groupBy('accounts.id')
    .orderBy('n', 'desc')
    .orderBy('accounts.id')
    .limit(limit)
    .execute();
  const out: Suggestion[] = friends.map((r) => ({ accountId: r.id, sources: ['friends_of_friends'] }));
  if (out.length < limit) {
    const taken = out.map((s) => s.accountId);
    let popular = db
      .selectFrom('accounts')
      .innerJoin('account_stats', 'account_stats.account_id', 'accounts.id')
      .select('accounts.id')
      .where(fresh)
      .where('accounts.domain', 'is', null)
      .where('account_stats.followers_count', '>', 0);
    if (taken.length) popular = popular.where('accounts.id', 'not in', taken);
    const rows = await popular
      .orderBy('account_stats.followers_count', 'desc')
      .orderBy('accounts.id')
      .limit(limit - out.length)
      .execute();
    out.push(...rows.map((r): Suggestion => ({ accountId: r.id, sources: ['most_followed'] })));
  }
  return out;
}

/**
 * For each account: the accounts the viewer follows that follow it (those that show their network; at most
 * `perAccount`).
 */
export async function familiarFollowers(
  db: DbReader,
  viewerId: string,
  ids: readonly string[],
  perAccount = 40,
): Promise<Map<string, string[]>> {
  const out = new Map(ids.map((id): [string, string[]] => [id, []]));
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('follows as theirs')
    .innerJoin('follows as mine', 'mine.target_account_id', 'theirs.account_id')
    .innerJoin('accounts', 'accounts.id', 'theirs.account_id')
    .select(['theirs.target_account_id as target', 'theirs.account_id as follower'])
    .where('mine.account_id', '=', viewerId)
    .where('theirs.target_account_id', 'in', [...ids])
    .where('accounts.suspended_at', 'is', null)
    .where('accounts.hide_collections', '=', false)
    .orderBy('theirs.created_at', 'desc')
    .execute();
  for (const r of rows) {
    const list = out.get(r.target)!;
    if (list.length < perAccount) list.push(r.follower);
  }
  return out;
}

/** A member's dismissals of follow suggestions. */
export function suggestionCommands(deps: { db: Db; run: RunCommand }) {
  const { run } = deps;
  return {
    /** The account is not suggested to the member again. */
    async dismiss(actor: Actor, accountId: string): Promise<void> {
      if (!isLocal(actor.account)) throw new Forbidden('Only local accounts have suggestions');
      const ownerId = actor.account.id;
      await run(async (unit) => {
        const exists = await unit.tx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
        if (!exists) return;
        await unit.tx
          .insertInto('suggestion_dismissals')
          .values({ account_id: ownerId, target_account_id: accountId, created_at: unit.now })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },
  };
}

export type SuggestionCommands = ReturnType<typeof suggestionCommands>;
