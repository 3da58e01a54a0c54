import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import type { Visibility } from '../../storage/db/schema.ts';
import { findAccountById } from '../accounts/accounts.repo.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { notify, retractNotifications } from '../notifications/notify.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { isQuotable } from './quoting.ts';
import {
  countPins,
  deleteReposts,
  findRepost,
  findStatusById,
  grantQuoteAuthorization,
  insertStatus,
  setConversationMute,
  setMark,
  setQuoteAuthorization,
} from './statuses.repo.ts';
import { visibleStatus } from './visibility-policy.ts';

const MAX_PINS = 5;
const VISIBILITY_ORDER: readonly Visibility[] = ['public', 'unlisted', 'private', 'direct'];

/** How a repost arrived from another server: its Announce's id and audience. */
export interface RemoteRepost {
  readonly uri: string;
  readonly visibility: 'public' | 'unlisted';
}

/** Reposts, favourites, bookmarks, pins, muted threads and quote consent: what accounts do to statuses. */
export function reactionCommands(deps: { db: Db; run: RunCommand; publicUrl: string }) {
  const { db, run, publicUrl } = deps;

  const visibleOrNotFound = (viewerId: string, statusId: string) => visibleStatus(db.read, viewerId, statusId);

  return {
    /**
     * Reposts a status the actor can see: public and unlisted ones (and a local author's own private
     * posts). A remote repost arrives with its Announce's id. Returns the repost's id (the existing one if
     * the actor reposted it before).
     */
    async reblog(
      actor: Actor,
      statusId: string,
      options: { visibility?: Visibility | undefined; remote?: RemoteRepost } = {},
    ): Promise<string> {
      const account = actor.account;
      let original = await visibleOrNotFound(account.id, statusId);
      if (original.reblog_of_id) original = await visibleOrNotFound(account.id, original.reblog_of_id);
      const ownPrivate = original.visibility === 'private' && original.account_id === account.id;
      if (!['public', 'unlisted'].includes(original.visibility) && !ownPrivate) throw new Forbidden('This post cannot be reposted');
      if (isLocal(account) === (options.remote !== undefined)) throw new Forbidden('A repost is made by its own server');
      const existing = await findRepost(db.read, account.id, original.id);
      if (existing) return existing.id;
      const wanted = options.remote?.visibility ?? options.visibility ?? 'public';
      const effective = ownPrivate
        ? 'private'
        : VISIBILITY_ORDER[Math.max(VISIBILITY_ORDER.indexOf(wanted), VISIBILITY_ORDER.indexOf(original.visibility))]!;
      return run(async (unit) => {
        const id = uuid7(unit.clock());
        const row = {
          id,
          account_id: account.id,
          uri: options.remote?.uri ?? `${publicUrl}/users/${account.username}/statuses/${id}/activity`,
          url: null,
          domain: account.domain,
          reblog_of_id: original.id,
          visibility: effective === 'direct' ? 'private' : effective,
          created_at: unit.now,
          updated_at: unit.now,
          thread_id: null,
          sensitive: false,
        } as const;
        // A concurrent repost by the same account (or the same Announce twice) may win the race: the
        // unique index keeps one, and this command answers with it.
        if (!(await insertStatus(unit, row))) {
          const winner = await findRepost(unit.tx, account.id, original.id);
          if (!winner) throw new NotFound();
          return winner.id;
        }
        await notify(unit, { accountId: original.account_id, fromAccountId: account.id, type: 'reblog', statusId: original.id });
        await recordActivity(unit, account, { type: 'status-created', accountId: account.id, statusId: id });
        return id;
      });
    },

    /** Undoes the actor's repost of a status (a remote one by its Announce's id); returns the original's id. */
    async unreblog(actor: Actor, statusId: string, remoteUri?: string): Promise<string> {
      const account = actor.account;
      const shown = await findStatusById(db.read, statusId);
      if (!shown) throw new NotFound();
      const target = shown.reblog_of_id ?? shown.id;
      await run(async (unit) => {
        const removed = await deleteReposts(unit, account.id, target, remoteUri);
        if (!removed.length) return;
        await retractNotifications(unit, { fromAccountId: account.id, types: ['reblog'], statusId: target });
        for (const r of removed) {
          await recordActivity(unit, account, {
            type: 'status-deleted',
            accountId: account.id,
            statusId: r.id,
            uri: r.uri,
            visibility: r.visibility,
            mentionedIds: [],
            reblogOfId: target,
          });
        }
      });
      return target;
    },

    /** Likes a status the actor can see (an emoji reaction from another server counts as one). */
    async favourite(actor: Actor, statusId: string): Promise<void> {
      const account = actor.account;
      const status = await visibleOrNotFound(account.id, statusId);
      if (status.reblog_of_id) throw new NotFound();
      await run(async (unit) => {
        if (!(await setMark(unit, 'favourites', account.id, statusId, true))) return;
        await notify(unit, {
          accountId: status.account_id,
          fromAccountId: account.id,
          type: 'favourite',
          statusId,
          threadId: status.thread_id,
        });
        await recordActivity(unit, account, { type: 'favourited', accountId: account.id, statusId });
      });
    },

    async unfavourite(actor: Actor, statusId: string): Promise<void> {
      const account = actor.account;
      const status = await findStatusById(db.read, statusId);
      if (!status) throw new NotFound();
      await run(async (unit) => {
        if (!(await setMark(unit, 'favourites', account.id, statusId, false))) return;
        await retractNotifications(unit, { fromAccountId: account.id, types: ['favourite'], statusId });
        await recordActivity(unit, account, { type: 'unfavourited', accountId: account.id, statusId });
      });
    },

    async bookmark(actor: Actor, statusId: string, on: boolean): Promise<void> {
      await visibleOrNotFound(actor.account.id, statusId);
      await run((unit) => setMark(unit, 'bookmarks', actor.account.id, statusId, on));
    },

    /** Pins (or unpins) one of the actor's own statuses on its profile; at most five. */
    async pin(actor: Actor, statusId: string, on: boolean): Promise<void> {
      const account = actor.account;
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== account.id || status.reblog_of_id) throw new NotFound();
      if (on && status.visibility === 'direct') throw new Invalid('Direct posts cannot be pinned');
      await run(async (unit) => {
        if (on && (await countPins(unit, account.id)) >= MAX_PINS) throw new Invalid(`You can pin at most ${MAX_PINS} posts`);
        await setMark(unit, 'pins', account.id, statusId, on);
      });
    },

    /** Mutes (or unmutes) notifications from the thread the status belongs to. */
    async muteConversation(actor: Actor, statusId: string, on: boolean): Promise<void> {
      const status = await visibleOrNotFound(actor.account.id, statusId);
      await run((unit) => setConversationMute(unit, actor.account.id, status.thread_id ?? status.id, on));
    },

    /**
     * Answers another server's request to quote a local post (FEP-044f): consent (a stamp served for
     * anyone to check) for public and unlisted posts with no block either way, a refusal otherwise. The
     * answer leaves as the local author's activity.
     */
    async answerQuoteRequest(
      actor: Actor,
      quotedStatusId: string,
      request: { readonly uri: string; readonly quotingUri: string },
    ): Promise<boolean> {
      const quoted = await findStatusById(db.read, quotedStatusId);
      const author = quoted ? await findAccountById(db.read, quoted.account_id) : undefined;
      if (!quoted || !author || !isLocal(author)) throw new NotFound();
      const allowed = await isQuotable(db.read, actor.account.id, quoted);
      await run(async (unit) => {
        const stampId = allowed ? await grantQuoteAuthorization(unit, quoted.id, request.quotingUri) : null;
        await recordActivity(unit, author, {
          type: 'quote-answered',
          accountId: author.id,
          requesterId: actor.account.id,
          requestUri: request.uri,
          quotedStatusId: quoted.id,
          stampId,
        });
      });
      return allowed;
    },

    /**
     * Keeps the stamp of consent the actor (the quoted post's author, on its server) gave for a local
     * quoting post; the post goes out again with it.
     */
    async acceptQuoteStamp(actor: Actor, quotingStatusId: string, stampUri: string): Promise<void> {
      const quoting = await findStatusById(db.read, quotingStatusId);
      const quoted = quoting?.quote_of_id ? await findStatusById(db.read, quoting.quote_of_id) : undefined;
      if (!quoting || quoting.domain !== null || !quoted || quoted.account_id !== actor.account.id) throw new NotFound();
      const author = await findAccountById(db.read, quoting.account_id);
      await run(async (unit) => {
        await setQuoteAuthorization(unit, quoting.id, stampUri);
        await recordActivity(unit, author ?? null, { type: 'status-updated', accountId: quoting.account_id, statusId: quoting.id });
      });
    },
  };
}
