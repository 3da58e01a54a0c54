import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import type { AccountWarningsTable, Database, DomainBlocksTable, ReportsTable } from '../../storage/db/schema.ts';
import { queueJob } from '../jobs.ts';
import type { Unit } from '../unit-of-work.ts';

export type DomainBlockRow = Selectable<DomainBlocksTable>;
export type WarningRow = Selectable<AccountWarningsTable>;
export type IpBlockRow = Selectable<Database['ip_blocks']>;

/** The tables of simple server-wide blocks and allows, each a list of rows with an id. */
export type BlockTable = 'domain_blocks' | 'domain_allows' | 'email_domain_blocks' | 'ip_blocks' | 'canonical_email_blocks';

/**
 * Sets an account's moderation state (limited, sensitive, suspended). Everything shown of it and of its
 * posts may change, for every viewer.
 */
export async function setAccountStanding(
  unit: Unit,
  accountIds: readonly string[],
  standing: Pick<
    Updateable<Database['accounts']>,
    'silenced_at' | 'silence_origin' | 'sensitized_at' | 'suspended_at' | 'suspension_origin'
  >,
): Promise<void> {
  if (!accountIds.length) return;
  await unit.tx
    .updateTable('accounts')
    .set({ ...standing, updated_at: unit.now })
    .where('id', 'in', [...accountIds])
    .execute();
  unit.changed({ kind: 'everything' });
}

/** Turns a local user's sign-in off (a time) or on again (null). */
export async function setDisabled(unit: Unit, accountId: string, at: string | null): Promise<void> {
  await unit.tx.updateTable('users').set({ disabled_at: at, updated_at: unit.now }).where('account_id', '=', accountId).execute();
  unit.changed({ kind: 'accounts', ids: [accountId] });
}

/** Signs an account out everywhere: its browser sessions and every token go. */
export async function revokeAccess(unit: Unit, accountId: string): Promise<void> {
  await unit.tx.deleteFrom('sessions').where('account_id', '=', accountId).execute();
  await unit.tx.deleteFrom('oauth_tokens').where('account_id', '=', accountId).execute();
}

/** The accounts of a server (and of its subdomains). */
export function accountsOfDomain(db: DbReader, domain: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where((w) => w.or([w('domain', '=', domain), w('domain', 'like', `%.${domain}`)]))
    .execute();
}

/** Ids of the accounts a domain block suspended or limited, to be lifted with it. */
export async function moderatedWithDomain(db: DbReader, domain: string, how: 'suspension_origin' | 'silence_origin'): Promise<string[]> {
  const rows = await db
    .selectFrom('accounts')
    .select('id')
    .where(how, '=', 'domain')
    .where((w) => w.or([w('domain', '=', domain), w('domain', 'like', `%.${domain}`)]))
    .execute();
  return rows.map((r) => r.id);
}

/** Follows and requests between an account and local accounts, both ways. */
export function localFollowsOf(db: DbReader, accountId: string) {
  const side = (table: 'follows' | 'follow_requests') =>
    db
      .selectFrom(table)
      .innerJoin('accounts as follower', 'follower.id', `${table}.account_id`)
      .innerJoin('accounts as target', 'target.id', `${table}.target_account_id`)
      .select([`${table}.account_id`, `${table}.target_account_id`, `${table}.uri`])
      .where((w) =>
        w.or([
          w.and([w(`${table}.account_id`, '=', accountId), w('target.domain', 'is', null)]),
          w.and([w(`${table}.target_account_id`, '=', accountId), w('follower.domain', 'is', null)]),
        ]),
      )
      .execute();
  return Promise.all([side('follows'), side('follow_requests')]).then(([follows, requests]) => [...follows, ...requests]);
}

/** Changes a report (assignment, resolution, category, rules). */
export async function updateReport(unit: Unit, id: string, set: Updateable<ReportsTable>): Promise<void> {
  await unit.tx
    .updateTable('reports')
    .set({ ...set, updated_at: unit.now })
    .where('id', '=', id)
    .execute();
}

/** What the admin report list filters by. */
export interface ReportFilter {
  readonly resolved: boolean;
  readonly accountId?: string | undefined;
  readonly targetAccountId?: string | undefined;
  /** Only reports about accounts of this server. */
  readonly byTargetDomain?: string | undefined;
}

/** Reports, filtered; the caller pages them by id. */
export function reportsQuery(db: DbReader, filter: ReportFilter) {
  let query = db
    .selectFrom('reports')
    .selectAll()
    .where('action_taken_at', filter.resolved ? 'is not' : 'is', null);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (filter.targetAccountId) query = query.where('target_account_id', '=', filter.targetAccountId);
  if (filter.byTargetDomain) {
    const domain = filter.byTargetDomain.toLowerCase();
    query = query.where('target_account_id', 'in', db.selectFrom('accounts').select('id').where('domain', '=', domain));
  }
  return query;
}

/** Records a strike. */
export async function insertWarning(unit: Unit, warning: Insertable<AccountWarningsTable>): Promise<void> {
  await unit.tx.insertInto('account_warnings').values(warning).execute();
  unit.changed({ kind: 'accounts', ids: [warning.target_account_id] });
}

/** A strike by id. */
export function findWarning(db: DbReader, id: string): Promise<WarningRow | undefined> {
  return db.selectFrom('account_warnings').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Strikes by id. */
export function findWarningsByIds(db: DbReader, ids: readonly string[]): Promise<WarningRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db
    .selectFrom('account_warnings')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** An account's strikes, newest first. */
export function warningsOf(db: DbReader, accountId: string): Promise<WarningRow[]> {
  return db
    .selectFrom('account_warnings')
    .selectAll()
    .where('target_account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}

/** Strikes whose appeal waits for a moderator, oldest first. */
export function pendingAppeals(db: DbReader, limit: number): Promise<WarningRow[]> {
  return db
    .selectFrom('account_warnings')
    .selectAll()
    .where('appeal_state', '=', 'pending')
    .orderBy('appealed_at', 'asc')
    .limit(limit)
    .execute();
}

/** Records an appeal of a strike; false when it was already appealed. */
export async function setAppeal(unit: Unit, id: string, text: string): Promise<boolean> {
  const result = await unit.tx
    .updateTable('account_warnings')
    .set({ appeal_text: text, appealed_at: unit.now, appeal_state: 'pending' })
    .where('id', '=', id)
    .where('appeal_state', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records a moderator's decision on a pending appeal; false when there was none. */
export async function decideAppeal(unit: Unit, id: string, state: 'approved' | 'rejected', moderatorId: string | null): Promise<boolean> {
  const result = await unit.tx
    .updateTable('account_warnings')
    .set({ appeal_state: state, appeal_decided_by_id: moderatorId, appeal_decided_at: unit.now })
    .where('id', '=', id)
    .where('appeal_state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The domain block of exactly this domain. */
export function findDomainBlock(db: DbReader, by: { id: string } | { domain: string }): Promise<DomainBlockRow | undefined> {
  const query = db.selectFrom('domain_blocks').selectAll();
  return ('id' in by ? query.where('id', '=', by.id) : query.where('domain', '=', by.domain)).executeTakeFirst();
}

/** Every domain block, by domain. */
export function allDomainBlocks(db: DbReader): Promise<DomainBlockRow[]> {
  return db.selectFrom('domain_blocks').selectAll().orderBy('domain', 'asc').execute();
}

/** Records a domain block; false when the domain is already blocked. */
export async function insertDomainBlock(unit: Unit, block: Insertable<DomainBlocksTable>): Promise<boolean> {
  const rows = await unit.tx
    .insertInto('domain_blocks')
    .values(block)
    .onConflict((oc) => oc.column('domain').doNothing())
    .returning('id')
    .execute();
  unit.changed({ kind: 'moderation' });
  return rows.length > 0;
}

/** Changes a domain block. */
export async function updateDomainBlock(unit: Unit, id: string, set: Updateable<DomainBlocksTable>): Promise<void> {
  await unit.tx
    .updateTable('domain_blocks')
    .set({ ...set, updated_at: unit.now })
    .where('id', '=', id)
    .execute();
  unit.changed({ kind: 'moderation' });
}

/** Every row of a block table, oldest first. */
export function blockRows<T extends BlockTable>(db: DbReader, table: T) {
  // One query for the five tables: each has an `id` ordered by creation (UUIDv7).
  const rows = db
    .selectFrom(table as 'domain_allows')
    .selectAll()
    .orderBy('id', 'asc')
    .limit(10_000)
    .execute();
  return rows as unknown as Promise<Selectable<Database[T]>[]>;
}

/** A page of a block table, newest first. */
export function blockRowsPage<T extends BlockTable>(db: DbReader, table: T, window: Window) {
  return readWindow(db.selectFrom(table as 'domain_allows').selectAll(), 'id', window) as unknown as Promise<Selectable<Database[T]>[]>;
}

/** The canonical email blocks with this hash. */
export function canonicalEmailBlocks(db: DbReader, hash: string) {
  return db.selectFrom('canonical_email_blocks').selectAll().where('canonical_email_hash', '=', hash).execute();
}

/** One row of a block table. */
export function findBlockRow<T extends BlockTable>(db: DbReader, table: T, id: string) {
  const row = db
    .selectFrom(table as 'domain_allows')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row as unknown as Promise<Selectable<Database[T]> | undefined>;
}

/** Adds a row to a block table; false when its unique key is already there. */
export async function insertBlockRow<T extends Exclude<BlockTable, 'domain_blocks'>>(
  unit: Unit,
  table: T,
  row: Insertable<Database[T]>,
  unique: 'domain' | 'ip' | 'canonical_email_hash',
): Promise<boolean> {
  const rows = await unit.tx
    .insertInto(table)
    .values(row as never)
    .onConflict((oc) => oc.column(unique as never).doNothing())
    .returning('id')
    .execute();
  unit.changed({ kind: 'moderation' });
  return rows.length > 0;
}

/** Changes an address block. */
export async function updateIpBlock(unit: Unit, id: string, set: Updateable<Database['ip_blocks']>): Promise<void> {
  await unit.tx
    .updateTable('ip_blocks')
    .set({ ...set, updated_at: unit.now })
    .where('id', '=', id)
    .execute();
  unit.changed({ kind: 'moderation' });
}

/** Removes a row of a block table; false when it was not there. */
export async function deleteBlockRow(unit: Unit, table: BlockTable, id: string): Promise<boolean> {
  const result = await unit.tx.deleteFrom(table).where('id', '=', id).executeTakeFirst();
  unit.changed({ kind: 'moderation' });
  return Number(result.numDeletedRows) > 0;
}

/** Statuses of an account, in batches (for removing a suspended server's content). */
export function statusIdsOf(db: DbReader, accountId: string, limit: number): Promise<{ id: string }[]> {
  return db.selectFrom('statuses').select('id').where('account_id', '=', accountId).orderBy('id', 'asc').limit(limit).execute();
}

/** The severity of the domain block covering an account's server (its own domain or a parent), if any. */
export async function domainSeverityOf(db: DbReader, domain: string): Promise<DomainBlocksTable['severity'] | null> {
  const name = domain.toLowerCase();
  const bare = name.replace(/:\d+$/, '');
  const parents = bare.split('.').map((_, i, parts) => parts.slice(i).join('.'));
  const rows = await db
    .selectFrom('domain_blocks')
    .select('severity')
    .where('domain', 'in', [name, ...parents])
    .execute();
  if (rows.some((r) => r.severity === 'suspend')) return 'suspend';
  if (rows.some((r) => r.severity === 'silence')) return 'silence';
  return rows.length ? 'noop' : null;
}

/**
 * Queues the final removal of accounts a moderator suspended before `before` (the grace period for an
 * appeal is over): local accounts are deleted, remote ones lose their content here. Returns how many.
 */
export async function purgeExpiredSuspensions(unit: Unit, before: string): Promise<number> {
  const due = await unit.tx
    .selectFrom('accounts')
    .select('id')
    .where('suspended_at', '<', before)
    .where('suspension_origin', '=', 'moderator')
    .where((w) =>
      w.or([
        w('domain', 'is', null),
        w.exists(w.selectFrom('statuses').select('statuses.id').whereRef('statuses.account_id', '=', 'accounts.id')),
      ]),
    )
    .limit(100)
    .execute();
  for (const { id } of due) await queueJob(unit, { kind: 'purge-account', accountId: id });
  return due.length;
}

export type SubscriptionRow = Selectable<Database['blocklist_subscriptions']>;

/** A blocklist subscription. */
export function findSubscription(db: DbReader, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('blocklist_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every blocklist subscription. */
export function allSubscriptions(db: DbReader): Promise<SubscriptionRow[]> {
  return db.selectFrom('blocklist_subscriptions').selectAll().orderBy('id', 'asc').execute();
}

/** Records a subscription; false when the URL is already subscribed. */
export async function insertSubscription(unit: Unit, row: Insertable<Database['blocklist_subscriptions']>): Promise<boolean> {
  const rows = await unit.tx
    .insertInto('blocklist_subscriptions')
    .values(row)
    .onConflict((oc) => oc.column('url').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Records a subscription's last fetch. */
export async function markSubscription(unit: Unit, id: string, set: Updateable<Database['blocklist_subscriptions']>): Promise<void> {
  await unit.tx.updateTable('blocklist_subscriptions').set(set).where('id', '=', id).execute();
}

/** Ends a subscription. */
export async function deleteSubscription(unit: Unit, id: string): Promise<void> {
  await unit.tx.deleteFrom('blocklist_subscriptions').where('id', '=', id).execute();
}

/** The domain blocks that came from one source. */
export function domainBlocksFrom(db: DbReader, source: string): Promise<DomainBlockRow[]> {
  return db.selectFrom('domain_blocks').selectAll().where('source', '=', source).execute();
}

/** Every subscription, with how many blocks it holds now. */
export async function subscriptionsWithCounts(db: DbReader) {
  const subscriptions = await allSubscriptions(db);
  const counts = await db
    .selectFrom('domain_blocks')
    .select((eb) => ['source', eb.fn.countAll<number>().as('n')])
    .where('source', 'like', 'subscription:%')
    .groupBy('source')
    .execute();
  const bySource = new Map(counts.map((c) => [c.source, Number(c.n)]));
  return subscriptions.map((s) => ({ ...s, blocks: bySource.get(`subscription:${s.url}`) ?? 0 }));
}
