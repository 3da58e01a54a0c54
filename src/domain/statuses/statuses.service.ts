import { sql, type SqlBool } from 'kysely';

import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader, DbWriter } from '../../storage/db/database.ts';
import type { Visibility } from '../../storage/db/schema.ts';
import type { AccountRow } from '../accounts/accounts.repo.ts';
import { Invalid, NotFound, Forbidden } from '../errors.ts';
import { notify } from '../notifications/notify.ts';
import { bumpStatusCount } from '../accounts/account-counts.repo.ts';
import { attachMedia, forgetMedia } from '../media/media.repo.ts';
import type { SearchIndex } from './search-index.ts';
import { deleteStatusRows, findStatusById, upsertTags, type StatusRow } from './statuses.repo.ts';
import { countCharacters, renderText, tokenize, type MentionTarget, type TextToken } from './text-format.ts';
import { canSee } from './visibility-policy.ts';
import type { Changes } from '../changes.ts';
import { blockedEitherWay } from '../graph/graph.service.ts';
import { recordActivity } from '../activity-queue.ts';

/** What a new status (or an edit) says. */
export interface StatusInput {
  text: string;
  spoilerText?: string | undefined;
  sensitive?: boolean | undefined;
  language?: string | null | undefined;
  /** Uploads to attach, in order; a status with attachments may have no text. */
  mediaIds?: readonly string[] | undefined;
}

/** A new status: its words plus where it stands. */
export interface NewStatus extends StatusInput {
  visibility?: Visibility | undefined;
  inReplyToId?: string | undefined;
  quotedStatusId?: string | undefined;
  idempotencyKey?: string | undefined;
  applicationName?: string | null | undefined;
}

/** The source of a deleted status, for "delete and redraft". */
export interface DeletedStatus {
  readonly status: StatusRow;
  readonly mentionedAccountIds: readonly string[];
}

const MAX_MENTIONS = 50;
const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

/** Thrown inside a posting transaction to roll it back: the same request already made `statusId`. */
class RepeatedRequest extends Error {
  readonly statusId: string;
  constructor(statusId: string) {
    super('repeated request');
    this.statusId = statusId;
  }
}

/**
 * Claims an Idempotency-Key for the status being posted. Two requests with one key may run at once: the
 * unique key makes the second wait for the first, which wins; the loser's transaction rolls back with
 * `RepeatedRequest`. A key older than the window is taken over, once.
 */
async function claimIdempotencyKey(tx: DbWriter, accountId: string, key: string, statusId: string, now: string): Promise<void> {
  const inserted = await tx
    .insertInto('idempotency_keys')
    .values({ account_id: accountId, key, status_id: statusId, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return;
  const earlier = await tx
    .selectFrom('idempotency_keys')
    .select(['status_id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  if (Date.parse(earlier.created_at) > Date.parse(now) - IDEMPOTENCY_WINDOW_MS) throw new RepeatedRequest(earlier.status_id);
  const taken = await tx
    .updateTable('idempotency_keys')
    .set({ status_id: statusId, created_at: now })
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('created_at', '=', earlier.created_at)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 0)
    throw new RepeatedRequest(
      (
        await tx
          .selectFrom('idempotency_keys')
          .select('status_id')
          .where('account_id', '=', accountId)
          .where('key', '=', key)
          .executeTakeFirstOrThrow()
      ).status_id,
    );
}
const MAX_PINS = 5;

/** Posting, editing, deleting, reposting and the marks an account puts on statuses. */
export function createStatusService(deps: {
  db: Db;
  clock: Clock;
  publicUrl: string;
  domain: string;
  maxCharacters: number;
  search: SearchIndex;
  purge: () => Promise<void>;
  flushMedia: () => Promise<unknown>;
  changes: Changes;
}) {
  const { db, clock, publicUrl, search, changes } = deps;

  /** Renders the text and resolves its mentions (local accounts, and remote ones already known). */
  async function compose(tx: DbWriter, input: StatusInput) {
    const text = input.text.replace(/\r\n?/g, '\n');
    const spoilerText = (input.spoilerText ?? '').trim();
    const problems: Record<string, { error: string; description: string }[]> = {};
    if (!text.trim() && !input.mediaIds?.length) problems.status = [{ error: 'ERR_BLANK', description: "can't be blank" }];
    const length = countCharacters(text) + [...spoilerText].length;
    if (length > deps.maxCharacters)
      problems.status = [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${deps.maxCharacters} characters)` }];
    if (Object.keys(problems).length) throw new Invalid('Validation failed', problems);
    const tokens = tokenize(text);
    const mentionTokens = tokens.filter((t): t is Extract<TextToken, { kind: 'mention' }> => t.kind === 'mention').slice(0, MAX_MENTIONS);
    const targets = new Map<string, MentionTarget>();
    for (const token of mentionTokens) {
      const domain = token.domain === null || token.domain === deps.domain ? null : token.domain;
      const key = `${token.username.toLowerCase()}@${domain ?? ''}`;
      if (targets.has(key)) continue;
      let query = tx
        .selectFrom('accounts')
        .select(['id', 'username', 'url', 'uri'])
        .where((eb) => eb(eb.fn('lower', ['username']), '=', token.username.toLowerCase()))
        .where('suspended_at', 'is', null);
      query = domain === null ? query.where('domain', 'is', null) : query.where('domain', '=', domain);
      const account = await query.executeTakeFirst();
      if (account) targets.set(key, { id: account.id, username: account.username, url: account.url ?? account.uri });
    }
    const content = renderText(tokens, {
      publicUrl,
      mention: (t) => targets.get(`${t.username.toLowerCase()}@${t.domain === null || t.domain === deps.domain ? '' : t.domain}`),
    });
    const tags = tokens.filter((t): t is Extract<TextToken, { kind: 'hashtag' }> => t.kind === 'hashtag').map((t) => t.name);
    return { text, spoilerText, content, mentions: [...new Set([...targets.values()].map((t) => t.id))], tags };
  }

  async function linkMentionsAndTags(tx: DbWriter, statusId: string, mentions: readonly string[], tags: readonly string[], now: string) {
    await tx.deleteFrom('mentions').where('status_id', '=', statusId).execute();
    await tx.deleteFrom('status_tags').where('status_id', '=', statusId).execute();
    if (mentions.length)
      await tx
        .insertInto('mentions')
        .values(mentions.map((account_id) => ({ status_id: statusId, account_id })))
        .execute();
    const tagIds = await upsertTags(tx, tags, now);
    if (tagIds.length)
      await tx
        .insertInto('status_tags')
        .values([...new Set(tagIds)].map((tag_id) => ({ status_id: statusId, tag_id })))
        .execute();
  }

  async function visibleOrNotFound(viewerId: string | null, statusId: string): Promise<StatusRow> {
    const status = await findStatusById(db.read, statusId);
    if (!status || !(await canSee(db.read, viewerId, statusId))) throw new NotFound();
    return status;
  }

  /** Whether `author` may quote `quoted`: public or unlisted, not a repost, and no block either way. */
  async function assertQuotable(author: AccountRow, quoted: StatusRow) {
    const blocked = await blockedEitherWay(db.read, quoted.account_id, author.id);
    if (blocked || quoted.reblog_of_id !== null || !['public', 'unlisted'].includes(quoted.visibility)) {
      throw new Invalid('This post cannot be quoted', {
        quoted_status_id: [
          { error: 'ERR_INVALID', description: 'cannot be quoted: only public and unlisted posts can, and not across a block' },
        ],
      });
    }
  }

  return {
    visibleOrNotFound,

    /** Posts a status; returns its id (the earlier one if the same idempotency key was used within an hour). */
    async create(author: AccountRow, input: NewStatus): Promise<string> {
      const now = isoAt(clock);
      if (input.idempotencyKey) {
        const earlier = await db.read
          .selectFrom('idempotency_keys')
          .select(['status_id', 'created_at'])
          .where('account_id', '=', author.id)
          .where('key', '=', input.idempotencyKey)
          .executeTakeFirst();
        if (earlier && Date.parse(earlier.created_at) > clock() - IDEMPOTENCY_WINDOW_MS) return earlier.status_id;
      }
      const parent = input.inReplyToId ? await visibleOrNotFound(author.id, input.inReplyToId) : undefined;
      const quoted = input.quotedStatusId ? await visibleOrNotFound(author.id, input.quotedStatusId) : undefined;
      if (quoted) await assertQuotable(author, quoted);
      const id = uuid7(clock());
      const uri = `${publicUrl}/users/${author.username}/statuses/${id}`;
      const tags = await db
        .transaction(async (tx) => {
          const composed = await compose(tx, input);
          const visibility = input.visibility ?? 'public';
          await tx
            .insertInto('statuses')
            .values({
              id,
              account_id: author.id,
              uri,
              url: `${publicUrl}/@${author.username}/${id}`,
              domain: null,
              in_reply_to_id: parent?.id ?? null,
              in_reply_to_account_id: parent?.account_id ?? null,
              reblog_of_id: null,
              quote_of_id: quoted?.id ?? null,
              text: composed.text,
              content: composed.content,
              spoiler_text: composed.spoilerText,
              sensitive: (input.sensitive ?? false) || composed.spoilerText.length > 0,
              visibility,
              language: input.language ?? null,
              created_at: now,
              updated_at: now,
              edited_at: null,
              thread_id: parent ? (parent.thread_id ?? parent.id) : id,
              application_name: input.applicationName ?? null,
            })
            .execute();
          if (input.idempotencyKey) await claimIdempotencyKey(tx, author.id, input.idempotencyKey, id, now);
          await linkMentionsAndTags(tx, id, composed.mentions, composed.tags, now);
          if (input.mediaIds?.length) await attachMedia(tx, author.id, id, input.mediaIds);
          await search.add(tx, id, `${composed.spoilerText} ${composed.text}`);
          await bumpStatusCount(tx, author.id, 1, now);
          const threadId = parent ? (parent.thread_id ?? parent.id) : id;
          for (const mentioned of composed.mentions)
            await notify(tx, { accountId: mentioned, fromAccountId: author.id, type: 'mention', statusId: id, now, threadId });
          if (quoted) await notify(tx, { accountId: quoted.account_id, fromAccountId: author.id, type: 'quote', statusId: id, now });
          // The quoted author's consent, where this server gives it (FEP-044f): served for other servers to check.
          if (quoted?.domain === null)
            await tx
              .insertInto('quote_authorizations')
              .values({ id: uuid7(clock()), quoted_status_id: quoted.id, quoting_uri: uri, created_at: now })
              .execute();
          if (visibility === 'public' || visibility === 'unlisted') {
            const subscribers = await tx
              .selectFrom('follows')
              .select('account_id')
              .where('target_account_id', '=', author.id)
              .where(sql<SqlBool>`notify = true`)
              .execute();
            for (const s of subscribers)
              await notify(tx, { accountId: s.account_id, fromAccountId: author.id, type: 'status', statusId: id, now });
          }
          await recordActivity(tx, { type: 'status-created', accountId: author.id, statusId: id }, now);
          return composed.tags;
        })
        .catch((error: unknown) => {
          if (error instanceof RepeatedRequest) return error;
          throw error;
        });
      if (tags instanceof RepeatedRequest) return tags.statusId;
      changes.emit({ kind: 'status-posted', statusId: id, authorId: author.id, tags });
      changes.emit({ kind: 'statuses', ids: [parent?.id, quoted?.id].filter((x): x is string => x !== undefined) });
      changes.emit({ kind: 'accounts', ids: [author.id] });
      changes.emit({ kind: 'activity-recorded' });
      return id;
    },

    /** Edits the author's own status, keeping the previous version in its history. */
    async edit(author: AccountRow, statusId: string, input: StatusInput): Promise<void> {
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== author.id || status.reblog_of_id !== null) throw new NotFound();
      const now = isoAt(clock);
      const tags = await db.transaction(async (tx) => {
        const composed = await compose(tx, input);
        await tx
          .insertInto('status_edits')
          .values({
            id: uuid7(clock()),
            status_id: statusId,
            text: status.text,
            content: status.content,
            spoiler_text: status.spoiler_text,
            sensitive: Boolean(status.sensitive),
            created_at: status.edited_at ?? status.created_at,
          })
          .execute();
        await tx
          .updateTable('statuses')
          .set({
            text: composed.text,
            content: composed.content,
            spoiler_text: composed.spoilerText,
            sensitive: (input.sensitive ?? false) || composed.spoilerText.length > 0,
            language: input.language ?? status.language,
            edited_at: now,
            updated_at: now,
          })
          .where('id', '=', statusId)
          .execute();
        await linkMentionsAndTags(tx, statusId, composed.mentions, composed.tags, now);
        if (input.mediaIds !== undefined) {
          const dropped = await attachMedia(tx, author.id, statusId, input.mediaIds);
          await forgetMedia(tx, { ids: dropped }, now);
        }
        await search.remove(tx, statusId);
        await search.add(tx, statusId, `${composed.spoilerText} ${composed.text}`);
        const reposters = await tx.selectFrom('statuses').select('account_id').where('reblog_of_id', '=', statusId).execute();
        for (const r of reposters) await notify(tx, { accountId: r.account_id, fromAccountId: author.id, type: 'update', statusId, now });
        await recordActivity(tx, { type: 'status-updated', accountId: author.id, statusId }, now);
        return composed.tags;
      });
      changes.emit({ kind: 'statuses', ids: [statusId] });
      changes.emit({ kind: 'status-posted', statusId, authorId: author.id, tags });
      changes.emit({ kind: 'activity-recorded' });
      if (input.mediaIds !== undefined) await deps.flushMedia();
    },

    /**
     * Deletes the author's own status for real: the row, its edits, mentions, tags, marks, notifications,
     * reposts and search entry; replies stay but lose their parent. Returns the source for redrafting.
     */
    async delete(author: AccountRow, statusId: string): Promise<DeletedStatus> {
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== author.id) throw new NotFound();
      const mentioned = await db.read.selectFrom('mentions').select('account_id').where('status_id', '=', statusId).execute();
      const tagIds = (await db.read.selectFrom('status_tags').select('tag_id').where('status_id', '=', statusId).execute()).map(
        (t) => t.tag_id,
      );
      const reposts = await db.transaction(async (tx) => {
        const reposts = await deleteStatusRows(tx, search, status, isoAt(clock));
        // Deleted by a concurrent request in the meantime: that one did the rest.
        if (!reposts) throw new NotFound();
        // A hashtag nobody else used or follows goes with the post: its name came from the post's text.
        if (tagIds.length) {
          await tx
            .deleteFrom('tags')
            .where('id', 'in', tagIds)
            .where((eb) => eb.not(eb.exists(eb.selectFrom('status_tags').select('tag_id').whereRef('status_tags.tag_id', '=', 'tags.id'))))
            .where((eb) => eb.not(eb.exists(eb.selectFrom('tag_follows').select('tag_id').whereRef('tag_follows.tag_id', '=', 'tags.id'))))
            .execute();
        }
        await recordActivity(
          tx,
          {
            type: 'status-deleted',
            accountId: author.id,
            statusId,
            uri: status.uri,
            visibility: status.visibility,
            mentionedIds: mentioned.map((m) => m.account_id),
            reblogOfId: status.reblog_of_id,
          },
          isoAt(clock),
        );
        return reposts;
      });
      changes.emit({
        kind: 'statuses',
        ids: [statusId, ...reposts.map((r) => r.id), ...[status.in_reply_to_id, status.quote_of_id].filter((x): x is string => x !== null)],
      });
      changes.emit({ kind: 'accounts', ids: [author.id, ...reposts.map((r) => r.account_id)] });
      changes.emit({ kind: 'activity-recorded' });
      await deps.flushMedia();
      await deps.purge();
      return { status, mentionedAccountIds: mentioned.map((m) => m.account_id) };
    },

    /** Reposts a status the account can see; public and unlisted only (and the author's own private posts). */
    async reblog(account: AccountRow, statusId: string, visibility: Visibility = 'public'): Promise<string> {
      let original = await visibleOrNotFound(account.id, statusId);
      if (original.reblog_of_id) original = await visibleOrNotFound(account.id, original.reblog_of_id);
      const ownPrivate = original.visibility === 'private' && original.account_id === account.id;
      if (!['public', 'unlisted'].includes(original.visibility) && !ownPrivate) throw new Forbidden('This post cannot be reposted');
      const existingRepost = (executor: DbReader) =>
        executor
          .selectFrom('statuses')
          .select('id')
          .where('account_id', '=', account.id)
          .where('reblog_of_id', '=', original.id)
          .executeTakeFirst();
      const existing = await existingRepost(db.read);
      if (existing) return existing.id;
      const id = uuid7(clock());
      const now = isoAt(clock);
      const order: Visibility[] = ['public', 'unlisted', 'private', 'direct'];
      const effective = ownPrivate ? 'private' : order[Math.max(order.indexOf(visibility), order.indexOf(original.visibility))]!;
      // A concurrent repost by the same account may win the race: the unique index keeps one, and this
      // request answers with it.
      const earlier = await db.transaction(async (tx) => {
        const inserted = await tx
          .insertInto('statuses')
          .values({
            id,
            account_id: account.id,
            uri: `${publicUrl}/users/${account.username}/statuses/${id}/activity`,
            url: null,
            domain: null,
            reblog_of_id: original.id,
            visibility: effective === 'direct' ? 'private' : effective,
            created_at: now,
            updated_at: now,
            thread_id: null,
            sensitive: false,
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
          const winner = await existingRepost(tx);
          if (!winner) throw new NotFound();
          return winner.id;
        }
        await bumpStatusCount(tx, account.id, 1, now);
        await notify(tx, { accountId: original.account_id, fromAccountId: account.id, type: 'reblog', statusId: original.id, now });
        await recordActivity(tx, { type: 'status-created', accountId: account.id, statusId: id }, now);
        return null;
      });
      if (earlier !== null) return earlier;
      changes.emit({ kind: 'status-posted', statusId: id, authorId: account.id, tags: [] });
      changes.emit({ kind: 'statuses', ids: [original.id] });
      changes.emit({ kind: 'accounts', ids: [account.id] });
      changes.emit({ kind: 'activity-recorded' });
      return id;
    },

    /** Undoes the account's repost of a status; returns the original's id. */
    async unreblog(account: AccountRow, statusId: string): Promise<string> {
      const original = await visibleOrNotFound(account.id, statusId);
      const target = original.reblog_of_id ?? original.id;
      const removed = await db.transaction(async (tx) => {
        const removed = await tx
          .deleteFrom('statuses')
          .where('account_id', '=', account.id)
          .where('reblog_of_id', '=', target)
          .returning(['id', 'uri', 'visibility'])
          .execute();
        if (removed.length > 0) await bumpStatusCount(tx, account.id, -1);
        await tx
          .deleteFrom('notifications')
          .where('from_account_id', '=', account.id)
          .where('status_id', '=', target)
          .where('type', '=', 'reblog')
          .execute();
        for (const r of removed)
          await recordActivity(
            tx,
            {
              type: 'status-deleted',
              accountId: account.id,
              statusId: r.id,
              uri: r.uri,
              visibility: r.visibility,
              mentionedIds: [],
              reblogOfId: target,
            },
            isoAt(clock),
          );
        return removed;
      });
      changes.emit({ kind: 'statuses', ids: [target, ...removed.map((r) => r.id)] });
      changes.emit({ kind: 'accounts', ids: [account.id] });
      changes.emit({ kind: 'activity-recorded' });
      return target;
    },

    async favourite(account: AccountRow, statusId: string): Promise<void> {
      const status = await visibleOrNotFound(account.id, statusId);
      if (status.reblog_of_id) throw new NotFound();
      const now = isoAt(clock);
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insertInto('favourites')
          .values({ id: uuid7(clock()), account_id: account.id, status_id: statusId, created_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
          await notify(tx, {
            accountId: status.account_id,
            fromAccountId: account.id,
            type: 'favourite',
            statusId,
            now,
            threadId: status.thread_id,
          });
        await recordActivity(tx, { type: 'favourited', accountId: account.id, statusId }, now);
      });
      changes.emit({ kind: 'statuses', ids: [statusId] });
      changes.emit({ kind: 'activity-recorded' });
    },

    async unfavourite(account: AccountRow, statusId: string): Promise<void> {
      await visibleOrNotFound(account.id, statusId);
      await db.transaction(async (tx) => {
        await tx.deleteFrom('favourites').where('account_id', '=', account.id).where('status_id', '=', statusId).execute();
        await tx
          .deleteFrom('notifications')
          .where('from_account_id', '=', account.id)
          .where('status_id', '=', statusId)
          .where('type', '=', 'favourite')
          .execute();
        await recordActivity(tx, { type: 'unfavourited', accountId: account.id, statusId }, isoAt(clock));
      });
      changes.emit({ kind: 'statuses', ids: [statusId] });
      changes.emit({ kind: 'activity-recorded' });
    },

    async bookmark(account: AccountRow, statusId: string, on: boolean): Promise<void> {
      await visibleOrNotFound(account.id, statusId);
      await db.transaction(async (tx) => {
        if (on)
          await tx
            .insertInto('bookmarks')
            .values({ id: uuid7(clock()), account_id: account.id, status_id: statusId, created_at: isoAt(clock) })
            .onConflict((oc) => oc.doNothing())
            .execute();
        else await tx.deleteFrom('bookmarks').where('account_id', '=', account.id).where('status_id', '=', statusId).execute();
      });
      changes.emit({ kind: 'viewers', ids: [account.id] });
    },

    async pin(account: AccountRow, statusId: string, on: boolean): Promise<void> {
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== account.id || status.reblog_of_id) throw new NotFound();
      if (on && status.visibility === 'direct') throw new Invalid('Direct posts cannot be pinned');
      await db.transaction(async (tx) => {
        if (!on) {
          await tx.deleteFrom('pins').where('account_id', '=', account.id).where('status_id', '=', statusId).execute();
          return;
        }
        const { n } = await tx
          .selectFrom('pins')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', account.id)
          .executeTakeFirstOrThrow();
        if (Number(n) >= MAX_PINS) throw new Invalid(`You can pin at most ${MAX_PINS} posts`);
        await tx
          .insertInto('pins')
          .values({ account_id: account.id, status_id: statusId, created_at: isoAt(clock) })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
      changes.emit({ kind: 'viewers', ids: [account.id] });
    },

    /** Mutes (or unmutes) notifications from the thread the status belongs to. */
    async muteConversation(account: AccountRow, statusId: string, on: boolean): Promise<void> {
      const status = await visibleOrNotFound(account.id, statusId);
      const threadId = status.thread_id ?? status.id;
      await db.transaction(async (tx) => {
        if (on)
          await tx
            .insertInto('conversation_mutes')
            .values({ account_id: account.id, thread_id: threadId })
            .onConflict((oc) => oc.doNothing())
            .execute();
        else await tx.deleteFrom('conversation_mutes').where('account_id', '=', account.id).where('thread_id', '=', threadId).execute();
      });
      changes.emit({ kind: 'viewers', ids: [account.id] });
    },
  };
}

/** The statuses service's interface, as `createStatusService` builds it. */
export type StatusService = ReturnType<typeof createStatusService>;
