import { linkCard } from '../cards/preview-cards.ts';
import { recordRemoteEmojis, type RemoteEmoji } from '../emoji/custom-emojis.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { Visibility } from '../../storage/db/schema.ts';
import { findAccountById, findLocalAccountsByUris, type AccountRow } from '../accounts/accounts.repo.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { checkPoll, insertLocalPoll, saveRemotePoll, type PollInput, type RemotePoll } from '../polls/polls.ts';
import { hasLocalFollower } from '../graph/graph.repo.ts';
import { queueJob } from '../jobs.ts';
import { attachMedia, forgetMedia } from '../media/media.repo.ts';
import { recordRemoteAttachments, type RemoteAttachment } from '../media/remote-media-jobs.ts';
import { notify } from '../notifications/notify.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';
import { composeText, type ComposedText, type StatusText } from './compose.ts';
import { assertQuotable, isQuotable } from './quoting.ts';
import type { SearchIndex } from './search-index.ts';
import {
  claimIdempotencyKey,
  deleteStatusRows,
  dropUnusedTags,
  findStatusById,
  findStatusByUri,
  grantQuoteAuthorization,
  idempotentStatus,
  hasSubscribers,
  findImportedStatus,
  insertStatus,
  recordImportedStatus,
  isTombstoned,
  linkMentionsAndTags,
  mentionsAndTagsOf,
  repostersOf,
  reviseStatus,
  setStatusContent,
  subscribersOf,
  type StatusRow,
} from './statuses.repo.ts';
import { visibleStatus } from './visibility-policy.ts';

/** A new status from a local author: the words plus where it stands. */
export interface LocalStatusInput extends StatusText {
  readonly sensitive?: boolean | undefined;
  readonly language?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
  readonly inReplyToId?: string | undefined;
  readonly quotedStatusId?: string | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly applicationName?: string | null | undefined;
  /** The scheduled post this one publishes (its uploads are kept for it). */
  readonly scheduledId?: string | undefined;
  readonly poll?: PollInput | undefined;
}

/**
 * A post from the member's archive on another server, brought here as the member's own: its words (as
 * the author wrote them, or as plain text read from its HTML), its original date, and what it replied to
 * among the posts imported before it.
 */
export interface ImportedPost {
  /** Its id on the server it came from: an archive imported twice adds each post once. */
  readonly originalUri: string;
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly visibility: Visibility;
  readonly language: string | null;
  readonly publishedAt: string;
  /** The original id of the post it replied to, if that was imported too (else it stands alone). */
  readonly inReplyToOriginalUri: string | null;
  readonly mediaIds: readonly string[];
}

/** An edit by a local author. */
export interface LocalEdit extends StatusText {
  readonly sensitive?: boolean | undefined;
  readonly language?: string | undefined;
}

/** A status from another server, as federation read it (sanitized, capped; references as URIs). */
export interface RemoteStatusInput {
  readonly uri: string;
  readonly url: string;
  /** Sanitized HTML. */
  readonly content: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly visibility: Visibility;
  /** When its server says it was published (ISO), if it says so. */
  readonly publishedAt: string | null;
  /** Actors it mentions or addresses; the local ones among them are mentioned here. */
  readonly mentionedUris: readonly string[];
  readonly tags: readonly string[];
  readonly inReplyToUri: string | null;
  readonly quoteUri: string | null;
  readonly attachments: readonly RemoteAttachment[];
  /** Its poll (a Question's options and counts). */
  readonly poll?: RemotePoll | null | undefined;
  /** The custom emoji of its server it uses (its `Emoji` tags). */
  readonly emojis?: readonly RemoteEmoji[] | undefined;
  /**
   * Whether this server fetched the post itself (to show a repost, a quote or a reply). A post that was
   * pushed to it is kept only when it concerns someone here: a follower of its author, an account it
   * mentions, or a reply to (or quote of) what someone here wrote or follows.
   */
  readonly fetched: boolean;
}

/** The source of a deleted status, for "delete and redraft". */
export interface DeletedStatus {
  readonly status: StatusRow;
  readonly mentionedAccountIds: readonly string[];
}

/** What the posting commands work with. */
export interface PostingDeps {
  readonly db: Db;
  readonly run: RunCommand;
  readonly search: SearchIndex;
  readonly publicUrl: string;
  readonly domain: string;
  readonly maxCharacters: number;
  /** Whether the first link of a post is fetched for its preview card (`STOA_LINK_PREVIEWS`). */
  readonly linkPreviews?: boolean | undefined;
  /** Screens a new or edited post for the moderators (the flagging rules), in its command's unit. */
  readonly screen?:
    ((unit: Unit, status: Pick<StatusRow, 'id' | 'account_id' | 'content' | 'spoiler_text' | 'language'>) => Promise<unknown>) | undefined;
}

/**
 * Checks a local author's new post before anything is written (the post it answers and the one it quotes
 * are visible to the author, the quote is allowed, the text fits) and renders its text.
 */
export async function prepareLocalPost(
  deps: Pick<PostingDeps, 'db' | 'domain' | 'publicUrl' | 'maxCharacters'>,
  author: AccountRow,
  input: LocalStatusInput,
): Promise<{ parent: StatusRow | undefined; quoted: StatusRow | undefined; composed: ComposedText }> {
  const { db } = deps;
  const parent = input.inReplyToId ? await visibleStatus(db.read, author.id, input.inReplyToId) : undefined;
  const quoted = input.quotedStatusId ? await visibleStatus(db.read, author.id, input.quotedStatusId) : undefined;
  if (quoted) await assertQuotable(db.read, author.id, quoted);
  if (input.poll) {
    checkPoll(input.poll);
    if (input.mediaIds?.length)
      throw new Invalid('Validation failed: a post cannot have both a poll and media', {
        poll: [{ error: 'ERR_INVALID', description: 'cannot be combined with media' }],
      });
    if (!input.text.trim()) throw new Invalid('Validation failed', { status: [{ error: 'ERR_BLANK', description: "can't be blank" }] });
  }
  const composed = await composeText(db.read, input, {
    domain: deps.domain,
    publicUrl: deps.publicUrl,
    maxCharacters: deps.maxCharacters,
    validate: true,
  });
  return { parent, quoted, composed };
}

const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;
/** A remote post dated later than this into the future is taken as posted now. */
const CLOCK_SKEW_MS = 60_000;

/** Thrown inside a posting transaction to roll it back: the same request already made `statusId`. */
class RepeatedRequest extends Error {
  readonly statusId: string;
  constructor(statusId: string) {
    super('repeated request');
    this.statusId = statusId;
  }
}

/** Posting, editing and deleting statuses, for local and remote authors alike. */
export function postingCommands(deps: PostingDeps) {
  const { db, run, search, publicUrl } = deps;
  const compose = (reader: DbReader, input: StatusText, validate = true) =>
    composeText(reader, input, { domain: deps.domain, publicUrl, maxCharacters: deps.maxCharacters, validate });

  /** A new row for a local author's post: its addresses here, and no reply, repost or quote unless given. */
  const localRow = (
    author: AccountRow,
    id: string,
    now: string,
    fields: {
      text: string;
      content: string;
      spoiler_text: string;
      sensitive: boolean;
      visibility: Visibility;
      language: string | null;
      created_at: string;
      quote_of_id?: string | null;
      application_name?: string | null;
    },
    parent: StatusRow | undefined,
  ) =>
    ({
      id,
      account_id: author.id,
      uri: `${publicUrl}/users/${author.username}/statuses/${id}`,
      url: `${publicUrl}/@${author.username}/${id}`,
      domain: null,
      in_reply_to_id: parent?.id ?? null,
      in_reply_to_account_id: parent?.account_id ?? null,
      reblog_of_id: null,
      updated_at: now,
      edited_at: null,
      thread_id: parent ? (parent.thread_id ?? parent.id) : id,
      quote_authorization_uri: null,
      ...fields,
      quote_of_id: fields.quote_of_id ?? null,
      application_name: fields.application_name ?? null,
    }) satisfies StatusRow;

  /** What every new status does once its row is in: mentions, hashtags, search, notifications. */
  async function afterInsert(unit: Unit, status: StatusRow, mentions: readonly string[], tags: readonly string[], indexed: string | null) {
    await linkMentionsAndTags(unit, status.id, mentions, tags);
    if (indexed !== null) await search.add(unit.tx, status.id, indexed);
    if (status.reblog_of_id === null) {
      await deps.screen?.(unit, status);
      await linkCard(unit, status.id, status.content, { fetch: deps.linkPreviews ?? false });
    }
    const threadId = status.thread_id;
    for (const mentioned of mentions)
      await notify(unit, { accountId: mentioned, fromAccountId: status.account_id, type: 'mention', statusId: status.id, threadId });
    if (status.quote_of_id) {
      const quoted = await findStatusById(unit.tx, status.quote_of_id);
      if (quoted)
        await notify(unit, { accountId: quoted.account_id, fromAccountId: status.account_id, type: 'quote', statusId: status.id });
    }
    // Followers who asked to hear of every post are told by a worker (there may be thousands).
    if ((status.visibility === 'public' || status.visibility === 'unlisted') && (await hasSubscribers(unit.tx, status.account_id)))
      await queueJob(unit, { kind: 'notify-subscribers', statusId: status.id });
  }

  /** Records the activity event of a local author's post, or defers it until unknown mentions are looked up. */
  async function announce(
    unit: Unit,
    author: AccountRow,
    statusId: string,
    type: 'status-created' | 'status-updated',
    unknownHandles: readonly string[],
  ) {
    if (!isLocal(author)) return;
    if (unknownHandles.length) await queueJob(unit, { kind: 'resolve-mentions', statusId, handles: unknownHandles, then: type });
    else await recordActivity(unit, author, { type, accountId: author.id, statusId });
  }

  async function createLocal(author: AccountRow, input: LocalStatusInput): Promise<string> {
    if (input.idempotencyKey) {
      const earlier = await idempotentStatus(db.read, author.id, input.idempotencyKey);
      if (earlier && Date.parse(earlier.created_at) > Date.now() - IDEMPOTENCY_WINDOW_MS) return earlier.status_id;
    }
    const { parent, quoted, composed } = await prepareLocalPost(deps, author, input);
    try {
      return await run(async (unit) => {
        const id = uuid7(unit.clock());
        const row = localRow(
          author,
          id,
          unit.now,
          {
            text: composed.text,
            content: composed.content,
            spoiler_text: composed.spoilerText,
            sensitive: (input.sensitive ?? false) || composed.spoilerText.length > 0,
            visibility: input.visibility ?? 'public',
            language: input.language ?? null,
            created_at: unit.now,
            quote_of_id: quoted?.id ?? null,
            application_name: input.applicationName ?? null,
          },
          parent,
        );
        const uri = row.uri;
        await insertStatus(unit, row, composed.tags);
        if (input.idempotencyKey) {
          const earlier = await claimIdempotencyKey(unit, author.id, input.idempotencyKey, id, IDEMPOTENCY_WINDOW_MS);
          if (earlier !== null) throw new RepeatedRequest(earlier);
        }
        if (input.mediaIds?.length) await attachMedia(unit, author.id, id, input.mediaIds, input.scheduledId ?? null);
        if (input.poll) await insertLocalPoll(unit, id, author.id, input.poll);
        await afterInsert(unit, row, composed.mentions, composed.tags, `${composed.spoilerText} ${composed.text}`);
        // The quoted author's consent, where this server gives it (FEP-044f): served for other servers to check.
        if (quoted?.domain === null) await grantQuoteAuthorization(unit, quoted.id, uri);
        await announce(unit, author, id, 'status-created', composed.unknownHandles);
        return id;
      });
    } catch (error) {
      if (error instanceof RepeatedRequest) return error.statusId;
      throw error;
    }
  }

  /** Whether a post pushed to this server concerns anyone here (else it is not kept, as Mastodon does). */
  async function concernsSomeoneHere(
    author: AccountRow,
    mentions: readonly string[],
    parent: StatusRow | undefined,
    quoted: StatusRow | undefined,
  ) {
    if (mentions.length) return true;
    if (parent && (parent.domain === null || (await hasLocalFollower(db.read, parent.account_id)))) return true;
    if (quoted?.domain === null) return true;
    return hasLocalFollower(db.read, author.id);
  }

  async function createRemote(author: AccountRow, input: RemoteStatusInput): Promise<string | null> {
    const existing = await findStatusByUri(db.read, input.uri);
    if (existing) return existing.id;
    if (await isTombstoned(db.read, input.uri)) return null;
    const mentions = (await findLocalAccountsByUris(db.read, input.mentionedUris)).map((a) => a.id);
    const parent = input.inReplyToUri ? await findStatusByUri(db.read, input.inReplyToUri) : undefined;
    const quotedRow = input.quoteUri ? await findStatusByUri(db.read, input.quoteUri) : undefined;
    // A quote is linked when the quoted post's policy lets anyone quote it (the stamp a local author gives
    // on request says the same) and no block stands between the two authors.
    const quoted = quotedRow && (await isQuotable(db.read, author.id, quotedRow)) ? quotedRow : undefined;
    if (!input.fetched && !(await concernsSomeoneHere(author, mentions, parent, quotedRow))) return null;
    const published = input.publishedAt ? Date.parse(input.publishedAt) : NaN;
    return run(async (unit) => {
      const id = uuid7(unit.clock());
      const createdAt =
        Number.isNaN(published) || published > Date.parse(unit.now) + CLOCK_SKEW_MS ? unit.now : new Date(published).toISOString();
      const row = {
        id,
        account_id: author.id,
        uri: input.uri,
        url: input.url,
        domain: author.domain,
        in_reply_to_id: parent?.id ?? null,
        in_reply_to_account_id: parent?.account_id ?? null,
        reblog_of_id: null,
        quote_of_id: quoted?.id ?? null,
        text: '',
        content: input.content,
        spoiler_text: input.spoilerText,
        sensitive: input.sensitive,
        visibility: input.visibility,
        language: input.language,
        created_at: createdAt,
        updated_at: unit.now,
        edited_at: null,
        thread_id: parent ? (parent.thread_id ?? parent.id) : id,
        application_name: null,
        quote_authorization_uri: null,
      } satisfies StatusRow;
      // The same post delivered twice at once: the first one in is kept.
      if (!(await insertStatus(unit, row, input.tags))) return (await findStatusByUri(unit.tx, input.uri))?.id ?? null;
      const searchable = input.visibility === 'public' || input.visibility === 'unlisted';
      await afterInsert(unit, row, mentions, input.tags, searchable ? `${input.spoilerText} ${plainText(input.content)}` : null);
      await recordRemoteAttachments(unit, id, author.id, input.attachments);
      if (input.poll) await saveRemotePoll(unit, id, author.id, input.poll);
      if (input.emojis?.length) await recordRemoteEmojis(unit, author.domain!, input.emojis, { statusId: id });
      return id;
    });
  }

  /**
   * A post from the author's archive, dated when it was first posted. It is not told to other servers (it
   * is not new) and notifies nobody: mentions stay links, hashtags are linked; it is searchable as the
   * author's own posts are. Null when this archived post was imported before.
   */
  async function importLocal(author: AccountRow, post: ImportedPost): Promise<string | null> {
    if (await findImportedStatus(db.read, author.id, post.originalUri)) return null;
    const parent = post.inReplyToOriginalUri ? await findImportedStatus(db.read, author.id, post.inReplyToOriginalUri) : undefined;
    const composed = await compose(db.read, { text: post.text, spoilerText: post.spoilerText }, false);
    const published = Date.parse(post.publishedAt);
    return run(async (unit) => {
      const at = Number.isNaN(published) || published > Date.parse(unit.now) ? Date.parse(unit.now) : published;
      const id = uuid7(at);
      const row = localRow(
        author,
        id,
        unit.now,
        {
          text: composed.text,
          content: composed.content,
          spoiler_text: composed.spoilerText,
          sensitive: post.sensitive || composed.spoilerText.length > 0,
          visibility: post.visibility,
          language: post.language,
          created_at: new Date(at).toISOString(),
        },
        parent,
      );
      await insertStatus(unit, row, composed.tags);
      await recordImportedStatus(unit, author.id, post.originalUri, id);
      if (post.mediaIds.length) await attachMedia(unit, author.id, id, post.mediaIds);
      await linkMentionsAndTags(unit, id, [], composed.tags);
      await search.add(unit.tx, id, `${composed.spoilerText} ${composed.text}`);
      return id;
    });
  }

  return {
    importPost(actor: Actor, post: ImportedPost): Promise<string | null> {
      if (!isLocal(actor.account)) throw new Forbidden('Only a local account imports its posts');
      return importLocal(actor.account, post);
    },

    /**
     * Posts a status: a local author's text (rendered here), or a remote author's post as its server sent
     * it. Returns its id (the earlier one for a repeated Idempotency-Key or a post already known), or null
     * when a remote post is not kept (deleted before, or concerning nobody here).
     */
    create(actor: Actor, input: LocalStatusInput | RemoteStatusInput): Promise<string | null> {
      const author = actor.account;
      if (isLocal(author) !== !('uri' in input)) throw new Forbidden('A post is written by its own server');
      return 'uri' in input ? createRemote(author, input) : createLocal(author, input);
    },

    /** Edits the actor's own status, keeping the previous version in its history. */
    async edit(actor: Actor, statusId: string, input: LocalEdit | RemoteStatusInput): Promise<void> {
      const author = actor.account;
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== author.id || status.reblog_of_id !== null) throw new NotFound();
      if (isLocal(author) !== !('uri' in input)) throw new Forbidden('A post is edited by its own server');
      const local = 'uri' in input ? null : await compose(db.read, input);
      // A remote poll's new counts come as an edit of its post: only the poll changes then.
      if (
        !local &&
        (input as RemoteStatusInput).poll &&
        (input as RemoteStatusInput).content === status.content &&
        (input as RemoteStatusInput).spoilerText === status.spoiler_text
      )
        return run((unit) => saveRemotePoll(unit, status.id, author.id, (input as RemoteStatusInput).poll!));
      const mentions = 'uri' in input ? (await findLocalAccountsByUris(db.read, input.mentionedUris)).map((a) => a.id) : local!.mentions;
      await run(async (unit) => {
        const revision = local
          ? {
              text: local.text,
              content: local.content,
              spoilerText: local.spoilerText,
              sensitive: ((input as LocalEdit).sensitive ?? false) || local.spoilerText.length > 0,
              language: (input as LocalEdit).language ?? status.language,
            }
          : (() => {
              const remote = input as RemoteStatusInput;
              return { content: remote.content, spoilerText: remote.spoilerText, sensitive: remote.sensitive, language: remote.language };
            })();
        const tags = local ? local.tags : (input as RemoteStatusInput).tags;
        await reviseStatus(unit, status, revision, tags);
        await linkMentionsAndTags(unit, status.id, mentions, tags);
        await linkCard(unit, status.id, revision.content, { fetch: deps.linkPreviews ?? false });
        await deps.screen?.(unit, {
          id: status.id,
          account_id: status.account_id,
          content: revision.content,
          spoiler_text: revision.spoilerText,
          language: revision.language,
        });
        const mediaIds = local ? (input as LocalEdit).mediaIds : undefined;
        if (mediaIds !== undefined) await forgetMedia(unit, { ids: await attachMedia(unit, author.id, statusId, mediaIds) });
        await search.remove(unit.tx, statusId);
        if (local) await search.add(unit.tx, statusId, `${local.spoilerText} ${local.text}`);
        else if (status.visibility === 'public' || status.visibility === 'unlisted') {
          await search.add(unit.tx, statusId, `${revision.spoilerText} ${plainText(revision.content)}`);
        }
        for (const reposter of await repostersOf(unit.tx, statusId)) {
          await notify(unit, { accountId: reposter, fromAccountId: author.id, type: 'update', statusId });
        }
        if (!local && (input as RemoteStatusInput).poll)
          await saveRemotePoll(unit, status.id, author.id, (input as RemoteStatusInput).poll!);
        if (!local && (input as RemoteStatusInput).emojis?.length)
          await recordRemoteEmojis(unit, author.domain!, (input as RemoteStatusInput).emojis!, { statusId: status.id });
        await announce(unit, author, statusId, 'status-updated', local?.unknownHandles ?? []);
      });
    },

    /**
     * Deletes the actor's own status for real: the row, its edits, mentions, tags, marks, notifications,
     * reposts and search entry; replies stay but lose their parent. Returns the source for redrafting.
     */
    async delete(actor: Actor, statusId: string): Promise<DeletedStatus> {
      const author = actor.account;
      const status = await findStatusById(db.read, statusId);
      if (!status || status.account_id !== author.id) throw new NotFound();
      const { mentioned, tagIds } = await mentionsAndTagsOf(db.read, statusId);
      await run(async (unit) => {
        // Deleted by a concurrent request in the meantime: that one did the rest.
        if (!(await deleteStatusRows(unit, search, status))) throw new NotFound();
        // A hashtag nobody else used or follows goes with the post: its name came from the post's text.
        await dropUnusedTags(unit, tagIds);
        await recordActivity(unit, author, {
          type: 'status-deleted',
          accountId: author.id,
          statusId,
          uri: status.uri,
          visibility: status.visibility,
          mentionedIds: mentioned,
          reblogOfId: status.reblog_of_id,
        });
      });
      return { status, mentionedAccountIds: mentioned };
    },

    /**
     * Links the mentions of a local post that were looked up on their servers after it was posted (the
     * `resolve-mentions` job), then records its deferred activity event, so that it reaches them too.
     */
    async linkLookedUpMentions(statusId: string, then: 'status-created' | 'status-updated'): Promise<void> {
      const status = await findStatusById(db.read, statusId);
      if (!status || status.domain !== null) return;
      const author = await findAccountById(db.read, status.account_id);
      if (!author) return;
      const composed: ComposedText = await compose(db.read, { text: status.text, spoilerText: status.spoiler_text }, false);
      await run(async (unit) => {
        if (!(await findStatusById(unit.tx, statusId))) return;
        if (composed.content !== status.content) await setStatusContent(unit, statusId, composed.content);
        await linkMentionsAndTags(unit, statusId, composed.mentions, composed.tags);
        await recordActivity(unit, author, { type: then, accountId: author.id, statusId });
      });
    },

    /** Tells the followers who asked for it ("notify me") of a new post (the `notify-subscribers` job). */
    async notifySubscribers(statusId: string): Promise<void> {
      const status = await findStatusById(db.read, statusId);
      if (!status) return;
      const subscribers = await subscribersOf(db.read, status.account_id);
      for (let start = 0; start < subscribers.length; start += 500) {
        await run(async (unit) => {
          for (const subscriber of subscribers.slice(start, start + 500)) {
            await notify(unit, { accountId: subscriber, fromAccountId: status.account_id, type: 'status', statusId });
          }
        });
      }
    },
  };
}

/** Text of sanitized HTML, for the search index. */
function plainText(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ');
}
