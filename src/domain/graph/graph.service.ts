import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import { findAccountById, type AccountRow } from '../accounts/accounts.repo.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { notify, retractNotifications } from '../notifications/notify.ts';
import { findTagId, upsertTags } from '../statuses/statuses.repo.ts';
import type { RunCommand } from '../unit-of-work.ts';
import {
  blockedEitherWay,
  deleteBlock,
  deleteFollows,
  deleteFollowsOfDomain,
  deleteMute,
  findFollow,
  followEnded,
  insertBlock,
  insertFollow,
  localFollowersOf,
  setDomainBlock,
  setTagFollow,
  updateFollow,
  upsertMute,
} from './graph.repo.ts';

/** How a follow arrived from another server: its Follow activity's id. */
export interface FollowOptions {
  readonly reblogs?: boolean | undefined;
  readonly notify?: boolean | undefined;
  /** The id of a remote actor's Follow activity. */
  readonly uri?: string | undefined;
}

/**
 * Follows, requests, blocks, mutes, domain blocks and followed hashtags: the social graph. Each command
 * takes an actor, local or remote: a follow from the API and a Follow from another server are one command.
 */
export function createGraphService(deps: { db: Db; clock: Clock; run: RunCommand; publicUrl: string }) {
  const { db, clock, run, publicUrl } = deps;

  /** The other account of a command: it exists, is not suspended and is not the actor. */
  const other = async (actor: Actor, id: string): Promise<AccountRow> => {
    const account = await findAccountById(db.read, id);
    if (!account || account.suspended_at !== null) throw new NotFound();
    if (account.id === actor.account.id) throw new Forbidden('You cannot do this to yourself');
    return account;
  };

  const service = {
    /**
     * Follows an account, or asks to where it is locked or on another server (which answers with an
     * Accept); following again changes the options. A remote actor's repeated Follow asks nothing twice:
     * it is accepted again if it stands (its server may have lost track), or stays one request.
     */
    async follow(actor: Actor, targetId: string, options: FollowOptions = {}): Promise<void> {
      const self = actor.account;
      const target = await other(actor, targetId);
      if (!isLocal(self) && (!isLocal(target) || !options.uri)) throw new Forbidden('A remote account follows local accounts only');
      if (await blockedEitherWay(db.read, self.id, target.id)) throw new Forbidden('This action is not allowed');
      const values = { showReblogs: options.reblogs, notify: options.notify, uri: options.uri };
      await run(async (unit) => {
        if (await findFollow(unit.tx, 'follows', self.id, target.id)) {
          await updateFollow(unit, 'follows', self.id, target.id, values);
          // Accepted again: the remote server asked because it does not know it is accepted.
          if (options.uri) {
            await recordActivity(unit, target, {
              type: 'follow-answered',
              accepted: true,
              accountId: target.id,
              requesterId: self.id,
              followUri: options.uri,
            });
          }
          return;
        }
        // A limited account's follows need approval, unless the target already follows it.
        const limited = self.silenced_at !== null && !(await findFollow(unit.tx, 'follows', target.id, self.id));
        const table = toBool(target.locked) || !isLocal(target) || limited ? 'follow_requests' : 'follows';
        const uri = options.uri ?? `${publicUrl}/follows/${uuid7(unit.clock())}`;
        const inserted = await insertFollow(unit, table, {
          accountId: self.id,
          targetId: target.id,
          showReblogs: options.reblogs ?? true,
          notify: options.notify ?? false,
          uri,
        });
        // Already asked (a pending request, or a concurrent copy of this command won): only the options change.
        if (!inserted) return updateFollow(unit, table, self.id, target.id, values);
        await notify(unit, { accountId: target.id, fromAccountId: self.id, type: table === 'follows' ? 'follow' : 'follow_request' });
        // Another server hears of it: the remote target of a request, or the remote follower now accepted.
        if (!isLocal(target))
          await recordActivity(unit, self, { type: 'follow-requested', accountId: self.id, targetId: target.id, followUri: uri });
        if (table === 'follows' && !isLocal(self)) {
          await recordActivity(unit, target, {
            type: 'follow-answered',
            accepted: true,
            accountId: target.id,
            requesterId: self.id,
            followUri: uri,
          });
        }
      });
    },

    /** Stops following an account (or takes back the request); the notification it made goes too. */
    async unfollow(actor: Actor, targetId: string): Promise<void> {
      const self = actor.account;
      const target = await other(actor, targetId);
      await run(async (unit) => {
        const ended = await deleteFollows(unit, ['follows', 'follow_requests'], self.id, target.id);
        await retractNotifications(unit, { fromAccountId: self.id, types: ['follow', 'follow_request'], accountIds: [target.id] });
        if (isLocal(target)) return;
        for (const f of ended)
          await recordActivity(unit, self, { type: 'unfollowed', accountId: self.id, targetId: target.id, followUri: f.uri });
      });
    },

    /** Makes an account stop following the actor (a remote account's Reject of a follow it had accepted). */
    async removeFromFollowers(actor: Actor, followerId: string): Promise<void> {
      const self = actor.account;
      const follower = await other(actor, followerId);
      await run(async (unit) => {
        const ended = await deleteFollows(unit, ['follows'], follower.id, self.id);
        if (isLocal(follower)) return;
        for (const f of ended) {
          await recordActivity(unit, self, {
            type: 'follow-answered',
            accepted: false,
            accountId: self.id,
            requesterId: follower.id,
            followUri: f.uri,
          });
        }
      });
    },

    /** Accepts or rejects a pending follow request to the actor (from the API, or a remote Accept or Reject). */
    async answerRequest(actor: Actor, requesterId: string, accept: boolean): Promise<void> {
      const self = actor.account;
      await run(async (unit) => {
        const [request] = await deleteFollows(unit, ['follow_requests'], requesterId, self.id);
        if (!request) throw new NotFound();
        const requester = await findAccountById(unit.tx, requesterId);
        if (requester && !isLocal(requester)) {
          await recordActivity(unit, self, {
            type: 'follow-answered',
            accepted: accept,
            accountId: self.id,
            requesterId,
            followUri: request.uri,
          });
        }
        await retractNotifications(unit, { fromAccountId: requesterId, types: ['follow_request'], accountIds: [self.id] });
        if (!accept) return followEnded(unit, requesterId, [self.id]);
        const follow = {
          accountId: requesterId,
          targetId: self.id,
          showReblogs: toBool(request.show_reblogs),
          notify: toBool(request.notify),
          uri: request.uri,
        };
        if (await insertFollow(unit, 'follows', follow))
          await notify(unit, { accountId: self.id, fromAccountId: requesterId, type: 'follow' });
      });
    },

    /** Blocks an account: follows and requests end both ways, and neither sees the other. */
    async block(actor: Actor, targetId: string): Promise<void> {
      const self = actor.account;
      const target = await other(actor, targetId);
      await run(async (unit) => {
        await insertBlock(unit, self.id, target.id);
        if (!isLocal(target)) await recordActivity(unit, self, { type: 'blocked', accountId: self.id, targetId: target.id });
      });
    },

    async unblock(actor: Actor, targetId: string): Promise<void> {
      const self = actor.account;
      const target = await other(actor, targetId);
      await run(async (unit) => {
        await deleteBlock(unit, self.id, target.id);
        if (!isLocal(target)) await recordActivity(unit, self, { type: 'unblocked', accountId: self.id, targetId: target.id });
      });
    },

    /** Mutes an account, optionally for `durationSeconds`, and its notifications unless told not to. */
    async mute(
      actor: Actor,
      targetId: string,
      options: { notifications?: boolean | undefined; durationSeconds?: number | undefined },
    ): Promise<void> {
      const target = await other(actor, targetId);
      const expiresAt = options.durationSeconds ? isoAt(clock, options.durationSeconds * 1000) : null;
      await run((unit) => upsertMute(unit, actor.account.id, target.id, { hideNotifications: options.notifications ?? true, expiresAt }));
    },

    async unmute(actor: Actor, targetId: string): Promise<void> {
      const target = await other(actor, targetId);
      await run((unit) => deleteMute(unit, actor.account.id, target.id));
    },

    /** Hides a whole server from the account; follows of its accounts end. */
    async blockDomain(actor: Actor, domain: string, on: boolean): Promise<void> {
      const name = domain.trim().toLowerCase();
      if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(name)) {
        throw new Invalid('Validation failed', { domain: [{ error: 'ERR_INVALID', description: 'is not a domain name' }] });
      }
      await run(async (unit) => {
        await setDomainBlock(unit, actor.account.id, name, on);
        if (on) await deleteFollowsOfDomain(unit, actor.account.id, name);
      });
    },

    /** Follows (or stops following) a hashtag: its public posts join the home timeline. */
    async followTag(actor: Actor, name: string, on: boolean): Promise<void> {
      await run(async (unit) => {
        const tagId = on ? (await upsertTags(unit, [name]))[0] : await findTagId(unit.tx, name);
        if (tagId) await setTagFollow(unit, actor.account.id, tagId, on);
      });
    },

    /**
     * After `fromId` moved to `toId`: its local followers follow `toId`, with the same options (or ask
     * to, where it is locked or remote), stop following `fromId`, and are told. Returns how many now
     * follow or asked.
     */
    async moveFollowers(origin: Actor['origin'], fromId: string, toId: string): Promise<number> {
      let moved = 0;
      for (const follower of await localFollowersOf(db.read, fromId)) {
        const actor: Actor = { account: follower, origin };
        try {
          await service.follow(actor, toId, { reblogs: toBool(follower.show_reblogs), notify: toBool(follower.notify) });
          moved += 1;
          // The lists and endorsements that held the old account hold the new one (before the unfollow ends them).
          await run((unit) => followEnded(unit, follower.id, [fromId], toId));
        } catch (error) {
          // A block either way, or the new account itself among the followers: that follow does not move.
          if (!(error instanceof Forbidden) && !(error instanceof NotFound)) throw error;
        }
        await service.unfollow(actor, fromId);
        // "An account you follow has moved" (the client shows where, from the account's `moved`).
        await run((unit) => notify(unit, { accountId: follower.id, fromAccountId: fromId, type: 'move' }).then(() => undefined));
      }
      return moved;
    },
  };
  return service;
}

/** The graph service's interface, as `createGraphService` builds it. */
export type GraphService = ReturnType<typeof createGraphService>;
