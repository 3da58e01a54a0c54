import { sql, type Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { DbReader, DbWriter } from '../../storage/db/database.ts';
import type { Database, PolicyAction } from '../../storage/db/schema.ts';
import type { Unit } from '../unit-of-work.ts';

export type PolicyRow = Omit<Selectable<Database['notification_policies']>, 'account_id' | 'updated_at'>;
export type PolicyField = keyof PolicyRow;
export const POLICY_FIELDS: readonly PolicyField[] = [
  'for_not_following',
  'for_not_followers',
  'for_new_accounts',
  'for_private_mentions',
  'for_limited_accounts',
];
export const POLICY_ACTIONS: readonly PolicyAction[] = ['accept', 'filter', 'drop'];

/** What a member who never chose gets (Mastodon's defaults): private mentions and limited accounts held back. */
export const DEFAULT_POLICY: PolicyRow = Object.freeze({
  for_not_following: 'accept',
  for_not_followers: 'accept',
  for_new_accounts: 'accept',
  for_private_mentions: 'filter',
  for_limited_accounts: 'filter',
});

/** An account this young counts as new. */
const NEW_ACCOUNT_MS = 30 * 86400_000;
/** What the server itself tells (and a poll's end) is never held back. */
const NOT_FILTERED: ReadonlySet<string> = new Set(['poll', 'moderation_warning', 'admin.sign_up', 'admin.report', 'move']);

/** The member's policy, or the defaults. */
export async function policyOf(db: DbReader, accountId: string): Promise<PolicyRow> {
  const row = await db.selectFrom('notification_policies').select(POLICY_FIELDS).where('account_id', '=', accountId).executeTakeFirst();
  return row ?? DEFAULT_POLICY;
}

/**
 * What the member's policy does with a notification from `fromAccountId`: a sender the member follows or
 * let through is always accepted; otherwise each rule that applies (not followed by the member, not
 * following the member, a new account, a private mention, a limited account) says accept, filter or drop,
 * and the strictest wins.
 */
export async function policyDecision(
  tx: DbWriter,
  input: { accountId: string; fromAccountId: string; type: string; statusId?: string | null | undefined },
  now: string,
): Promise<PolicyAction> {
  if (NOT_FILTERED.has(input.type) || input.accountId === input.fromAccountId) return 'accept';
  const policy = await policyOf(tx, input.accountId);
  /** Whether `table` has a row from `from` to `to`. */
  const link = (table: 'follows' | 'notification_permissions', from: string, to: string) => {
    const target = table === 'follows' ? 'target_account_id' : 'from_account_id';
    return sql<boolean>`exists (select 1 from ${sql.table(table)} where account_id = ${from} and ${sql.ref(target)} = ${to})`;
  };
  const facts = await tx
    .selectFrom('accounts')
    .select([
      'accounts.created_at',
      'accounts.silenced_at',
      link('follows', input.accountId, input.fromAccountId).as('following'),
      link('follows', input.fromAccountId, input.accountId).as('follower'),
      link('notification_permissions', input.accountId, input.fromAccountId).as('permitted'),
    ])
    .where('accounts.id', '=', input.fromAccountId)
    .executeTakeFirst();
  if (!facts || truthy(facts.following) || truthy(facts.permitted)) return 'accept';
  const status =
    input.type === 'mention' && input.statusId
      ? await tx.selectFrom('statuses').select('visibility').where('id', '=', input.statusId).executeTakeFirst()
      : undefined;
  const actions: PolicyAction[] = [policy.for_not_following];
  if (!truthy(facts.follower)) actions.push(policy.for_not_followers);
  if (Date.parse(String(facts.created_at)) > Date.parse(now) - NEW_ACCOUNT_MS) actions.push(policy.for_new_accounts);
  if (status?.visibility === 'direct') actions.push(policy.for_private_mentions);
  if (facts.silenced_at !== null) actions.push(policy.for_limited_accounts);
  return actions.includes('drop') ? 'drop' : actions.includes('filter') ? 'filter' : 'accept';
}

/** Records that a notification from `fromAccountId` was held back: the sender's request is made or moved up. */
export async function holdInRequest(unit: Unit, accountId: string, fromAccountId: string, statusId: string | null): Promise<void> {
  const set = { updated_at: unit.now, ...(statusId ? { last_status_id: statusId } : {}) };
  await unit.tx
    .insertInto('notification_requests')
    .values({
      id: uuid7(unit.clock()),
      account_id: accountId,
      from_account_id: fromAccountId,
      last_status_id: statusId,
      created_at: unit.now,
      updated_at: unit.now,
    })
    .onConflict((oc) => oc.columns(['account_id', 'from_account_id']).doUpdateSet(set))
    .execute();
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
