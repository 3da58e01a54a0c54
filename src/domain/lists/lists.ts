import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import type { RepliesPolicy } from '../../storage/db/schema.ts';
import { isLocal, type Actor } from '../actor.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

/** How many lists one account may keep, and how many accounts one list may hold. */
export const LIST_LIMITS = { lists: 50, accountsPerList: 1000, titleLength: 200 } as const;

export const REPLIES_POLICIES: readonly RepliesPolicy[] = ['followed', 'list', 'none'];

/** A list as stored. */
export interface ListRow {
  readonly id: string;
  readonly account_id: string;
  readonly title: string;
  readonly replies_policy: RepliesPolicy;
  readonly exclusive: boolean | number;
  readonly created_at: string;
}

/** What a list is made with, or changed to (absent fields stay as they are). */
export interface ListInput {
  readonly title?: string | undefined;
  readonly repliesPolicy?: RepliesPolicy | undefined;
  readonly exclusive?: boolean | undefined;
}

/** The owner's lists, oldest first. */
export function listsOf(db: DbReader, ownerId: string): Promise<ListRow[]> {
  return db.selectFrom('lists').selectAll().where('account_id', '=', ownerId).orderBy('id').execute();
}

/** One of the owner's lists; another's answers as if it did not exist. */
export async function findList(db: DbReader, ownerId: string, listId: string): Promise<ListRow> {
  const row = await db.selectFrom('lists').selectAll().where('id', '=', listId).where('account_id', '=', ownerId).executeTakeFirst();
  if (!row) throw new NotFound();
  return row;
}

/** A page of a list's accounts (by account id, as Mastodon pages them). */
export function listMembersPage(db: DbReader, listId: string, window: Window): Promise<{ account_id: string; cursor: string }[]> {
  return readWindow(
    db.selectFrom('list_accounts').select(['account_id', 'account_id as cursor']).where('list_id', '=', listId),
    'list_accounts.account_id',
    window,
  );
}

/** The owner's lists that hold `accountId`. */
export function listsHolding(db: DbReader, ownerId: string, accountId: string): Promise<ListRow[]> {
  return db
    .selectFrom('lists')
    .innerJoin('list_accounts', 'list_accounts.list_id', 'lists.id')
    .selectAll('lists')
    .where('lists.account_id', '=', ownerId)
    .where('list_accounts.account_id', '=', accountId)
    .orderBy('lists.id')
    .execute();
}

/** Whether the owner keeps any exclusive list (the home timeline then leaves out their members). */
export async function hasExclusiveList(db: DbReader, ownerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('lists')
    .select('id')
    .where('account_id', '=', ownerId)
    .where('exclusive', '=', true)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function checkTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const trimmed = title.trim();
  if (!trimmed) throw new Invalid('Validation failed', { title: [{ error: 'ERR_BLANK', description: "can't be blank" }] });
  if ([...trimmed].length > LIST_LIMITS.titleLength)
    throw new Invalid('Validation failed', {
      title: [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${LIST_LIMITS.titleLength} characters)` }],
    });
  return trimmed;
}

/** The list changed: its owner's home and list timelines may show other posts now. */
function told(unit: Unit, ownerId: string): void {
  unit.changed({ kind: 'viewers', ids: [ownerId] });
}

/**
 * Lists: a member groups accounts they follow into timelines of their own. Only a local account keeps
 * lists; they are private to it and never federated.
 */
export function listCommands(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  const owner = (actor: Actor) => {
    if (!isLocal(actor.account)) throw new Forbidden('Lists belong to local accounts');
    return actor.account.id;
  };

  return {
    /** Makes a list; returns its id. */
    async create(actor: Actor, input: ListInput & { title: string }): Promise<string> {
      const ownerId = owner(actor);
      const title = checkTitle(input.title)!;
      return run(async (unit) => {
        const count = await unit.tx
          .selectFrom('lists')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', ownerId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= LIST_LIMITS.lists)
          throw new Invalid(`You cannot keep more than ${LIST_LIMITS.lists} lists`, {
            base: [{ error: 'ERR_LIMIT', description: `at most ${LIST_LIMITS.lists} lists` }],
          });
        const id = uuid7(unit.clock());
        await unit.tx
          .insertInto('lists')
          .values({
            id,
            account_id: ownerId,
            title,
            replies_policy: input.repliesPolicy ?? 'list',
            exclusive: input.exclusive ?? false,
            created_at: unit.now,
          })
          .execute();
        told(unit, ownerId);
        return id;
      });
    },

    /** Changes a list's title, replies policy or exclusivity. */
    async update(actor: Actor, listId: string, input: ListInput): Promise<void> {
      const ownerId = owner(actor);
      const title = checkTitle(input.title);
      await findList(db.read, ownerId, listId);
      const set = {
        ...(title !== undefined ? { title } : {}),
        ...(input.repliesPolicy !== undefined ? { replies_policy: input.repliesPolicy } : {}),
        ...(input.exclusive !== undefined ? { exclusive: input.exclusive } : {}),
      };
      if (!Object.keys(set).length) return;
      await run(async (unit) => {
        await unit.tx.updateTable('lists').set(set).where('id', '=', listId).where('account_id', '=', ownerId).execute();
        told(unit, ownerId);
      });
    },

    /** Deletes a list (the accounts stay followed). */
    async delete(actor: Actor, listId: string): Promise<void> {
      const ownerId = owner(actor);
      await findList(db.read, ownerId, listId);
      await run(async (unit) => {
        await unit.tx.deleteFrom('lists').where('id', '=', listId).where('account_id', '=', ownerId).execute();
        told(unit, ownerId);
      });
    },

    /**
     * Adds accounts to a list. Each must be one the owner follows (or asked to follow), as Mastodon
     * requires; one that is not refuses the whole request and adds nothing.
     */
    async addAccounts(actor: Actor, listId: string, accountIds: readonly string[]): Promise<void> {
      const ownerId = owner(actor);
      await findList(db.read, ownerId, listId);
      const wanted = [...new Set(accountIds)];
      if (!wanted.length) return;
      await run(async (unit) => {
        const followed = new Set(
          [
            ...(await unit.tx
              .selectFrom('follows')
              .select('target_account_id')
              .where('account_id', '=', ownerId)
              .where('target_account_id', 'in', wanted)
              .execute()),
            ...(await unit.tx
              .selectFrom('follow_requests')
              .select('target_account_id')
              .where('account_id', '=', ownerId)
              .where('target_account_id', 'in', wanted)
              .execute()),
          ].map((r) => r.target_account_id),
        );
        const strangers = wanted.filter((id) => !followed.has(id));
        if (strangers.length) {
          const known = await unit.tx.selectFrom('accounts').select('id').where('id', 'in', strangers).execute();
          if (known.length < strangers.length) throw new NotFound();
          throw new Invalid('You must follow an account before adding it to a list', {
            account_ids: [{ error: 'ERR_INVALID', description: 'must be accounts you follow' }],
          });
        }
        const present = await unit.tx
          .selectFrom('list_accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('list_id', '=', listId)
          .where('account_id', 'not in', wanted)
          .executeTakeFirstOrThrow();
        if (Number(present.n) + wanted.length > LIST_LIMITS.accountsPerList)
          throw new Invalid(`A list holds at most ${LIST_LIMITS.accountsPerList} accounts`, {
            account_ids: [{ error: 'ERR_LIMIT', description: `at most ${LIST_LIMITS.accountsPerList} accounts per list` }],
          });
        await unit.tx
          .insertInto('list_accounts')
          .values(wanted.map((accountId) => ({ list_id: listId, account_id: accountId, created_at: unit.now })))
          .onConflict((oc) => oc.doNothing())
          .execute();
        told(unit, ownerId);
      });
    },

    /** Takes accounts off a list (those not on it are passed over). */
    async removeAccounts(actor: Actor, listId: string, accountIds: readonly string[]): Promise<void> {
      const ownerId = owner(actor);
      await findList(db.read, ownerId, listId);
      if (!accountIds.length) return;
      await run(async (unit) => {
        await unit.tx
          .deleteFrom('list_accounts')
          .where('list_id', '=', listId)
          .where('account_id', 'in', [...accountIds])
          .execute();
        told(unit, ownerId);
      });
    },
  };
}

export type ListCommands = ReturnType<typeof listCommands>;

/**
 * Takes `targetId` off every list of `ownerId` (the owner stopped following it), or moves it to `movedTo`
 * on each (the account moved and the owner now follows its new one).
 */
export async function dropFromLists(unit: Unit, ownerId: string, targetIds: readonly string[], movedTo?: string): Promise<void> {
  if (!targetIds.length) return;
  const lists = unit.tx.selectFrom('lists').select('id').where('account_id', '=', ownerId);
  if (movedTo !== undefined) {
    const held = await unit.tx
      .selectFrom('list_accounts')
      .select('list_id')
      .where('list_id', 'in', lists)
      .where('account_id', 'in', [...targetIds])
      .execute();
    if (held.length)
      await unit.tx
        .insertInto('list_accounts')
        .values(held.map((h) => ({ list_id: h.list_id, account_id: movedTo, created_at: unit.now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
  }
  const gone = await unit.tx
    .deleteFrom('list_accounts')
    .where('list_id', 'in', lists)
    .where('account_id', 'in', [...targetIds])
    .returning('list_id')
    .execute();
  if (gone.length) told(unit, ownerId);
}
