import type { ActivityEvent, Changes } from '../changes.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader, DbWriter } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import { findAccountById, type AccountRow } from '../accounts/accounts.repo.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { notify } from '../notifications/notify.ts';
import { recountFollows } from '../accounts/account-counts.repo.ts';
import { recordActivity } from '../activity-queue.ts';

/** How one account stands to another, as Mastodon's Relationship entity tells it. */
export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
}

/** The relationships of `viewerId` to each of `ids`, in a fixed number of queries. */
export async function relationships(db: DbReader, viewerId: string, ids: readonly string[], now: string): Promise<Relationship[]> {
  if (ids.length === 0) return [];
  const list = [...ids];
  const [following, followedBy, blocking, blockedBy, muting, requested, requestedBy, targets, domainBlocks] = await Promise.all([
    db
      .selectFrom('follows')
      .select(['target_account_id as id', 'show_reblogs', 'notify'])
      .where('account_id', '=', viewerId)
      .where('target_account_id', 'in', list)
      .execute(),
    db.selectFrom('follows').select('account_id as id').where('target_account_id', '=', viewerId).where('account_id', 'in', list).execute(),
    db
      .selectFrom('blocks')
      .select('target_account_id as id')
      .where('account_id', '=', viewerId)
      .where('target_account_id', 'in', list)
      .execute(),
    db.selectFrom('blocks').select('account_id as id').where('target_account_id', '=', viewerId).where('account_id', 'in', list).execute(),
    db
      .selectFrom('mutes')
      .select(['target_account_id as id', 'hide_notifications'])
      .where('account_id', '=', viewerId)
      .where('target_account_id', 'in', list)
      .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)]))
      .execute(),
    db
      .selectFrom('follow_requests')
      .select('target_account_id as id')
      .where('account_id', '=', viewerId)
      .where('target_account_id', 'in', list)
      .execute(),
    db
      .selectFrom('follow_requests')
      .select('account_id as id')
      .where('target_account_id', '=', viewerId)
      .where('account_id', 'in', list)
      .execute(),
    db.selectFrom('accounts').select(['id', 'domain']).where('id', 'in', list).execute(),
    db.selectFrom('account_domain_blocks').select('domain').where('account_id', '=', viewerId).execute(),
  ]);
  const set = (rows: { id: string }[]) => new Set(rows.map((r) => r.id));
  const [followedBySet, blockingSet, blockedBySet, requestedSet, requestedBySet] = [
    set(followedBy),
    set(blocking),
    set(blockedBy),
    set(requested),
    set(requestedBy),
  ];
  const follows = new Map(following.map((f) => [f.id, f]));
  const mutes = new Map(muting.map((m) => [m.id, m]));
  const domains = new Map(targets.map((t) => [t.id, t.domain]));
  const blockedDomains = new Set(domainBlocks.map((d) => d.domain));
  return list.map((id) => {
    const follow = follows.get(id);
    const mute = mutes.get(id);
    const domain = domains.get(id);
    return {
      id,
      following: follow !== undefined,
      showing_reblogs: follow ? toBool(follow.show_reblogs) : false,
      notifying: follow ? toBool(follow.notify) : false,
      followed_by: followedBySet.has(id),
      blocking: blockingSet.has(id),
      blocked_by: blockedBySet.has(id),
      muting: mute !== undefined,
      muting_notifications: mute ? toBool(mute.hide_notifications) : false,
      requested: requestedSet.has(id),
      requested_by: requestedBySet.has(id),
      domain_blocking: domain ? blockedDomains.has(domain) : false,
    };
  });
}

/** Whether either of two accounts blocks the other. */
export async function blockedEitherWay(db: DbReader, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('blocks')
    .select('id')
    .where((w) =>
      w.or([
        w.and([w('account_id', '=', a), w('target_account_id', '=', b)]),
        w.and([w('account_id', '=', b), w('target_account_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/** Records that `blockerId` blocks `targetId`: follows and requests end both ways. */
export async function recordBlock(tx: DbWriter, clock: Clock, blockerId: string, targetId: string): Promise<void> {
  for (const table of ['follows', 'follow_requests'] as const) {
    await tx
      .deleteFrom(table)
      .where((w) =>
        w.or([
          w.and([w('account_id', '=', blockerId), w('target_account_id', '=', targetId)]),
          w.and([w('account_id', '=', targetId), w('target_account_id', '=', blockerId)]),
        ]),
      )
      .execute();
  }
  await tx
    .insertInto('blocks')
    .values({ id: uuid7(clock()), account_id: blockerId, target_account_id: targetId, created_at: isoAt(clock) })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await recountFollows(tx, [blockerId, targetId]);
}

/** Follows, requests, blocks, mutes and domain blocks: the social graph, as its members change it. */
export function createGraphService(db: Db, clock: Clock, changes: Changes, publicUrl: string) {
  /** Queues an activity event in the transaction that makes it happen. */
  const activity = (tx: DbWriter, event: ActivityEvent) => recordActivity(tx, event, isoAt(clock));
  const told = (viewers: string[], accounts: string[]) => {
    changes.emit({ kind: 'activity-recorded' });
    changes.emit({ kind: 'viewers', ids: viewers });
    if (accounts.length) changes.emit({ kind: 'accounts', ids: accounts });
  };
  const target = async (id: string, self: AccountRow) => {
    const account = await findAccountById(db.read, id);
    if (!account || account.suspended_at !== null) throw new NotFound();
    if (account.id === self.id) throw new Forbidden('You cannot do this to yourself');
    return account;
  };
  const isBlockedEitherWay = (a: string, b: string) => blockedEitherWay(db.read, a, b);

  const service = {
    /** Follows an account, or asks to if it is locked; following again changes the options. */
    async follow(
      self: AccountRow,
      targetId: string,
      options: { reblogs?: boolean | undefined; notify?: boolean | undefined },
    ): Promise<void> {
      const other = await target(targetId, self);
      if (await isBlockedEitherWay(self.id, other.id)) throw new Forbidden('This action is not allowed');
      const now = isoAt(clock);
      await db.transaction(async (tx) => {
        const existing = await tx
          .selectFrom('follows')
          .select('id')
          .where('account_id', '=', self.id)
          .where('target_account_id', '=', other.id)
          .executeTakeFirst();
        const values = { show_reblogs: options.reblogs ?? true, notify: options.notify ?? false };
        if (existing) {
          await tx.updateTable('follows').set(values).where('id', '=', existing.id).execute();
          return;
        }
        // A follow of a remote account waits for its server's Accept.
        const table = toBool(other.locked) || other.domain !== null ? 'follow_requests' : 'follows';
        const id = uuid7(clock());
        const followUri = `${publicUrl}/follows/${id}`;
        const inserted = await tx
          .insertInto(table)
          .values({ id, account_id: self.id, target_account_id: other.id, ...values, created_at: now, uri: followUri })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        // Already asked (a pending request, or a concurrent copy of this request won): only the options change.
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
          await tx.updateTable(table).set(values).where('account_id', '=', self.id).where('target_account_id', '=', other.id).execute();
          return;
        }
        await notify(tx, { accountId: other.id, fromAccountId: self.id, type: table === 'follows' ? 'follow' : 'follow_request', now });
        await recountFollows(tx, [self.id, other.id]);
        await activity(tx, { type: 'follow-requested', accountId: self.id, targetId: other.id, followUri });
      });
      told([self.id], [self.id, other.id]);
    },

    async unfollow(self: AccountRow, targetId: string): Promise<void> {
      const other = await target(targetId, self);
      await db.transaction(async (tx) => {
        const follows = await tx
          .deleteFrom('follows')
          .where('account_id', '=', self.id)
          .where('target_account_id', '=', other.id)
          .returning('uri')
          .execute();
        const requests = await tx
          .deleteFrom('follow_requests')
          .where('account_id', '=', self.id)
          .where('target_account_id', '=', other.id)
          .returning('uri')
          .execute();
        await recountFollows(tx, [self.id, other.id]);
        for (const f of [...follows, ...requests])
          await activity(tx, { type: 'unfollowed', accountId: self.id, targetId: other.id, followUri: f.uri });
      });
      told([self.id], [self.id, other.id]);
    },

    async removeFromFollowers(self: AccountRow, targetId: string): Promise<void> {
      const other = await target(targetId, self);
      await db.transaction(async (tx) => {
        const ended = await tx
          .deleteFrom('follows')
          .where('account_id', '=', other.id)
          .where('target_account_id', '=', self.id)
          .returning('uri')
          .execute();
        await recountFollows(tx, [self.id, other.id]);
        for (const f of ended)
          await activity(tx, { type: 'follow-answered', accepted: false, accountId: self.id, requesterId: other.id, followUri: f.uri });
      });
      told([other.id], [self.id, other.id]);
    },

    /** Accepts or rejects a pending follow request to `self`. */
    async answerRequest(self: AccountRow, requesterId: string, accept: boolean): Promise<void> {
      await db.transaction(async (tx) => {
        const request = await tx
          .deleteFrom('follow_requests')
          .where('account_id', '=', requesterId)
          .where('target_account_id', '=', self.id)
          .returningAll()
          .executeTakeFirst();
        if (!request) throw new NotFound();
        await activity(tx, { type: 'follow-answered', accepted: accept, accountId: self.id, requesterId, followUri: request.uri });
        if (!accept) return;
        const now = isoAt(clock);
        await tx
          .insertInto('follows')
          .values({
            ...request,
            show_reblogs: toBool(request.show_reblogs),
            notify: toBool(request.notify),
            id: uuid7(clock()),
            created_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await tx
          .deleteFrom('notifications')
          .where('account_id', '=', self.id)
          .where('from_account_id', '=', requesterId)
          .where('type', '=', 'follow_request')
          .execute();
        await notify(tx, { accountId: self.id, fromAccountId: requesterId, type: 'follow', now });
        await recountFollows(tx, [self.id, requesterId]);
      });
      told([requesterId], [self.id, requesterId]);
    },

    /** Blocks an account: follows and requests end both ways, and neither sees the other. */
    async block(self: AccountRow, targetId: string): Promise<void> {
      const other = await target(targetId, self);
      await db.transaction(async (tx) => {
        await recordBlock(tx, clock, self.id, other.id);
        await activity(tx, { type: 'blocked', accountId: self.id, targetId: other.id });
      });
      told([self.id, other.id], [self.id, other.id]);
    },

    async unblock(self: AccountRow, targetId: string): Promise<void> {
      const other = await target(targetId, self);
      await db.transaction(async (tx) => {
        await tx.deleteFrom('blocks').where('account_id', '=', self.id).where('target_account_id', '=', other.id).execute();
        await activity(tx, { type: 'unblocked', accountId: self.id, targetId: other.id });
      });
      told([self.id, other.id], []);
    },

    /** Mutes an account, optionally for `durationSeconds`, and its notifications unless told not to. */
    async mute(
      self: AccountRow,
      targetId: string,
      options: { notifications?: boolean | undefined; durationSeconds?: number | undefined },
    ): Promise<void> {
      const other = await target(targetId, self);
      const values = {
        hide_notifications: options.notifications ?? true,
        expires_at: options.durationSeconds ? isoAt(clock, options.durationSeconds * 1000) : null,
      };
      await db.transaction((tx) =>
        tx
          .insertInto('mutes')
          .values({ id: uuid7(clock()), account_id: self.id, target_account_id: other.id, ...values, created_at: isoAt(clock) })
          .onConflict((oc) => oc.columns(['account_id', 'target_account_id'] as never).doUpdateSet(values))
          .execute(),
      );
      told([self.id], []);
    },

    async unmute(self: AccountRow, targetId: string): Promise<void> {
      const other = await target(targetId, self);
      await db.transaction((tx) =>
        tx.deleteFrom('mutes').where('account_id', '=', self.id).where('target_account_id', '=', other.id).execute(),
      );
      told([self.id], []);
    },

    /** Hides a whole server from the account; follows of its accounts end. */
    async blockDomain(self: AccountRow, domain: string, on: boolean): Promise<void> {
      const name = domain.trim().toLowerCase();
      if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(name))
        throw new Invalid('Validation failed', { domain: [{ error: 'ERR_INVALID', description: 'is not a domain name' }] });
      const ended = await db.transaction(async (tx) => {
        if (!on) {
          await tx.deleteFrom('account_domain_blocks').where('account_id', '=', self.id).where('domain', '=', name).execute();
          return [];
        }
        await tx
          .insertInto('account_domain_blocks')
          .values({ account_id: self.id, domain: name, created_at: isoAt(clock) })
          .onConflict((oc) => oc.doNothing())
          .execute();
        const ended = await tx
          .deleteFrom('follows')
          .where('account_id', '=', self.id)
          .where('target_account_id', 'in', (eb) => eb.selectFrom('accounts').select('id').where('domain', '=', name))
          .returning('target_account_id')
          .execute();
        await recountFollows(tx, [self.id, ...ended.map((f) => f.target_account_id)]);
        return ended.map((f) => f.target_account_id);
      });
      told([self.id], ended.length ? [self.id, ...ended] : []);
    },

    /**
     * After `fromId` moved to `toId`: its local followers follow `toId`, with the same options (or ask
     * to, where it is locked or remote), and stop following `fromId`. Returns how many now follow or asked.
     */
    async moveFollowers(fromId: string, toId: string): Promise<number> {
      const followers = await db.read
        .selectFrom('follows')
        .innerJoin('accounts', 'accounts.id', 'follows.account_id')
        .selectAll('accounts')
        .select(['follows.show_reblogs', 'follows.notify'])
        .where('follows.target_account_id', '=', fromId)
        .where('accounts.domain', 'is', null)
        .where('accounts.suspended_at', 'is', null)
        .execute();
      let moved = 0;
      for (const follower of followers) {
        try {
          await service.follow(follower, toId, { reblogs: toBool(follower.show_reblogs), notify: toBool(follower.notify) });
          moved += 1;
        } catch (error) {
          // A block either way, or the new account itself among the followers: that follow does not move.
          if (!(error instanceof Forbidden) && !(error instanceof NotFound)) throw error;
        }
        await service.unfollow(follower, fromId);
        // "An account you follow has moved" (the client shows where, from the account's `moved`).
        await db.transaction((tx) => notify(tx, { accountId: follower.id, fromAccountId: fromId, type: 'move', now: isoAt(clock) }));
      }
      return moved;
    },
  };
  return service;
}

/** The graph service's interface, as `createGraphService` builds it. */
export type GraphService = ReturnType<typeof createGraphService>;
