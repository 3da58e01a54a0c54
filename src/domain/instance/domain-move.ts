import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Db, DbReader, DbWriter } from '../../storage/db/database.ts';
import { recordActivity } from '../activity-queue.ts';
import { changeFeed } from '../changes.ts';
import { commandRunner } from '../unit-of-work.ts';
import { readServerSetting, recordServerSetting } from './server-settings.repo.ts';

/**
 * Where this server's own URLs are stored, table by table. `prefixed`: columns holding URLs of its objects
 * (actors, their collections and inboxes, posts, follows, reports, tombstones) wherever they appear, a
 * remote post's reply to a local one included: a value that starts with the former origin gets the new
 * one. `html`: the HTML local authors wrote (rows chosen by `local`), where links to mentions, hashtags and
 * profiles carry the origin anywhere in the text. Each table is rewritten in one statement, each row once.
 */
const REWRITES: readonly {
  table: string;
  prefixed: readonly string[];
  html?: { columns: readonly string[]; local: RawBuilder<unknown> };
}[] = [
  {
    table: 'accounts',
    prefixed: ['uri', 'url', 'inbox_url', 'shared_inbox_url', 'outbox_url', 'followers_url', 'following_url', 'featured_url'],
    html: { columns: ['note', 'fields'], local: sql`domain is null` },
  },
  { table: 'statuses', prefixed: ['uri', 'url'], html: { columns: ['content'], local: sql`domain is null` } },
  {
    table: 'status_edits',
    prefixed: [],
    html: { columns: ['content'], local: sql`status_id in (select id from statuses where domain is null)` },
  },
  { table: 'follows', prefixed: ['uri'] },
  { table: 'follow_requests', prefixed: ['uri'] },
  { table: 'reports', prefixed: ['uri'] },
  { table: 'tombstones', prefixed: ['uri'] },
];

/** What `moveServerDomain` did. */
export interface DomainMove {
  readonly from: string;
  readonly to: string;
  /** Local accounts whose actor moved. */
  readonly accounts: number;
  /** Of them, those with followers or follows on other servers, told by a Move (queued for the workers). */
  readonly announced: number;
}

/** Raised when the database cannot move to the given domain. */
export class DomainMoveError extends Error {
  override name = 'DomainMoveError';
}

/** The origin (scheme, host and port) of the local accounts' actors, or undefined when there are none. */
async function localOrigin(db: Db): Promise<string | undefined> {
  const row = await db.read.selectFrom('accounts').select('uri').where('domain', 'is', null).orderBy('id').limit(1).executeTakeFirst();
  return row ? new URL(row.uri).origin : undefined;
}

/** Rewrites one table's URLs from the origin `from` to `to`, in one statement. */
async function rewrite(tx: DbWriter, rewrite: (typeof REWRITES)[number], from: string, to: string): Promise<void> {
  const prefix = `${from}/`;
  const starts = (column: string) => sql`substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)}) = ${sql.val(prefix)}`;
  const contains = (column: string) => sql`${sql.ref(column)} like ${sql.val(`%${prefix}%`)}`;
  const sets = rewrite.prefixed.map(
    (column) =>
      sql`${sql.ref(column)} = case when ${starts(column)} then ${sql.val(to)} || substr(${sql.ref(column)}, ${sql.lit(from.length + 1)}) else ${sql.ref(column)} end`,
  );
  const conditions = rewrite.prefixed.map(starts);
  if (rewrite.html) {
    const { columns, local } = rewrite.html;
    for (const column of columns) {
      sets.push(
        sql`${sql.ref(column)} = case when ${local} and ${contains(column)} then replace(${sql.ref(column)}, ${sql.val(prefix)}, ${sql.val(`${to}/`)}) else ${sql.ref(column)} end`,
      );
    }
    conditions.push(sql`(${local} and (${sql.join(columns.map(contains), sql` or `)}))`);
  }
  await sql`update ${sql.table(rewrite.table)} set ${sql.join(sets, sql`, `)} where ${sql.join(conditions, sql` or `)}`.execute(tx);
}

/**
 * Moves the server from the domain its database belongs to, to `target`: in one transaction, every local
 * actor, post, follow and link gets the new origin, every local actor lists its former URI among its
 * aliases (`alsoKnownAs`), the new domain is recorded, and for every account known on other servers a
 * `domain-moved` event is queued: the workers send its remote followers a Move from the former actor to
 * the new one, signed with the former actor's key (servers that cached it believe it even when the former
 * domain no longer answers), and send its follows of remote accounts again from the new actor.
 */
export async function moveServerDomain(db: Db, clock: Clock, target: { domain: string; publicUrl: string }): Promise<DomainMove> {
  const to = new URL(target.publicUrl).origin;
  const recorded = await readServerSetting(db.read, 'domain');
  const from = await localOrigin(db);
  const run = commandRunner(db, clock, changeFeed());
  if (from === undefined) {
    await run((unit) => recordServerSetting(unit.tx, 'domain', target.domain.toLowerCase(), unit.now));
    return { from: recorded ?? target.domain, to, accounts: 0, announced: 0 };
  }
  if (from === to) throw new DomainMoveError(`the server is already at ${to}`);
  return run(async (unit) => {
    const { tx } = unit;
    for (const table of REWRITES) await rewrite(tx, table, from, to);
    const accounts = await tx
      .selectFrom('accounts')
      .select(['id', 'uri', 'also_known_as', 'domain'])
      .where('domain', 'is', null)
      .where('suspended_at', 'is', null)
      .execute();
    const federated = await federatedAccounts(tx);
    let announced = 0;
    for (const account of accounts) {
      const formerUri = `${from}${account.uri.slice(to.length)}`;
      const aliases = (JSON.parse(account.also_known_as) as string[]).filter((uri) => uri !== formerUri);
      await tx
        .updateTable('accounts')
        .set({ also_known_as: JSON.stringify([...aliases, formerUri]), updated_at: unit.now })
        .where('id', '=', account.id)
        .execute();
      if (!federated.has(account.id)) continue;
      await recordActivity(unit, account, { type: 'domain-moved', accountId: account.id, formerUri });
      announced++;
    }
    await recordServerSetting(tx, 'domain', target.domain.toLowerCase(), unit.now);
    const former = new Set([...(await formerDomains(tx)), new URL(from).host].filter((host) => host !== new URL(to).host));
    await recordServerSetting(tx, 'former_domains', JSON.stringify([...former]), unit.now);
    return { from, to, accounts: accounts.length, announced };
  });
}

/** The domains this server moved away from (`stoa domain move`), whose handles it still answers for in WebFinger. */
export async function formerDomains(read: DbReader): Promise<string[]> {
  const value = await readServerSetting(read, 'former_domains');
  return value ? (JSON.parse(value) as string[]) : [];
}

/**
 * A WebFinger request about a handle or actor URL at one of the `former` domains, asked of this server
 * (the former domain redirects here, or a client asks): the same request about the handle here, so that
 * lookups of an old address find the account at its new one. Other requests are returned as they are.
 */
export function webfingerForFormerDomain(request: Request, former: readonly string[], publicUrl: string): Request {
  const url = new URL(request.url);
  const resource = url.searchParams.get('resource');
  if (!resource || former.length === 0) return request;
  const here = new URL(publicUrl);
  const acct = /^acct:([^@]+)@(.+)$/i.exec(resource);
  let rewritten: string | undefined;
  if (acct && former.includes(acct[2]!.toLowerCase())) rewritten = `acct:${acct[1]}@${here.host}`;
  else if (/^https?:\/\//i.test(resource)) {
    const asked = new URL(resource);
    if (former.includes(asked.host.toLowerCase())) rewritten = `${here.origin}${asked.pathname}`;
  }
  if (!rewritten) return request;
  url.searchParams.set('resource', rewritten);
  return new Request(url, { method: request.method, headers: request.headers });
}

/** Local accounts that follow, are followed by, or asked to follow an account on another server. */
async function federatedAccounts(tx: DbWriter): Promise<Set<string>> {
  const remote = (table: 'follows' | 'follow_requests', column: 'account_id' | 'target_account_id') =>
    tx.selectFrom(table).innerJoin('accounts as remote', 'remote.id', `${table}.${column}`).where('remote.domain', 'is not', null);
  const rows = await remote('follows', 'account_id')
    .select('follows.target_account_id as id')
    .union(remote('follows', 'target_account_id').select('follows.account_id as id'))
    .union(remote('follow_requests', 'target_account_id').select('follow_requests.account_id as id'))
    .execute();
  return new Set(rows.map((r) => r.id));
}
