import type { Note, Question } from '@fedify/vocab';
import {
  Application,
  Document,
  Hashtag,
  Mention,
  PUBLIC_COLLECTION,
  PropertyValue,
  Service,
  type Actor,
  type Article,
} from '@fedify/vocab';
import { isoAt, type Clock } from '../lib/clock.ts';
import { withoutNul } from '../lib/text.ts';
import { uuid7 } from '../lib/uuid7.ts';
import type { Db } from '../storage/db/database.ts';
import type { Visibility } from '../storage/db/schema.ts';
import type { AccountRow } from '../domain/accounts/accounts.repo.ts';
import { bumpStatusCount } from '../domain/accounts/account-counts.repo.ts';
import type { Changes } from '../domain/changes.ts';
import { notify } from '../domain/notifications/notify.ts';
import type { SearchIndex } from '../domain/statuses/search-index.ts';
import { sanitizeHtml } from '../domain/statuses/sanitize-html.ts';
import { deleteStatusRows, upsertTags } from '../domain/statuses/statuses.repo.ts';
import type { RemoteAttachment, RemoteMedia } from './remote-media.ts';
import { blockedEitherWay } from '../domain/graph/graph.service.ts';
import { isHashtagName } from '../domain/statuses/text-format.ts';

/** What the network sends that becomes a status: notes, articles and polls alike. */
export type RemotePost = Note | Article | Question;

const MAX_TEXT = 100_000;
const MAX_NAME = 200;
const MAX_FIELDS = 16;

/**
 * Keeps remote accounts and posts as rows like local ones (with a domain), so that every read path,
 * timeline and visibility rule treats them alike. Everything stored is sanitized and capped here.
 */
export function remoteStore(deps: { db: Db; clock: Clock; search: SearchIndex; changes: Changes; publicUrl: string; media: RemoteMedia }) {
  const { db, clock } = deps;

  /** Inserts or refreshes the account behind a remote actor; returns its row. */
  async function saveActor(actor: Actor): Promise<AccountRow> {
    const uri = actor.id!;
    const now = isoAt(clock);
    const fields: { name: string; value: string }[] = [];
    for await (const attachment of actor.getAttachments()) {
      if (attachment instanceof PropertyValue && fields.length < MAX_FIELDS) {
        fields.push({ name: cap(String(attachment.name ?? ''), MAX_NAME), value: sanitizeHtml(cap(String(attachment.value ?? ''), 2000)) });
      }
    }
    const url = actor.url instanceof URL ? actor.url.href : (actor.url?.href?.href ?? null);
    const values = {
      username: cap(actor.preferredUsername?.toString() ?? uri.pathname.split('/').pop() ?? 'unknown', 100),
      domain: uri.host.toLowerCase(),
      url: url && sameOrigin(url, uri) ? url : uri.href,
      display_name: cap(actor.name?.toString() ?? '', MAX_NAME),
      note: sanitizeHtml(cap(actor.summary?.toString() ?? '', MAX_TEXT)),
      locked: actor.manuallyApprovesFollowers ?? false,
      bot: actor instanceof Service || actor instanceof Application,
      discoverable: actor.discoverable ?? false,
      inbox_url: actor.inboxId?.href ?? null,
      shared_inbox_url: actor.endpoints?.sharedInbox?.href ?? null,
      outbox_url: actor.outboxId?.href ?? null,
      followers_url: actor.followersId?.href ?? null,
      following_url: actor.followingId?.href ?? null,
      featured_url: actor.featuredId?.href ?? null,
      fields: JSON.stringify(fields),
      also_known_as: JSON.stringify(actor.aliasIds.map((a) => a.href).slice(0, 20)),
      updated_at: now,
      fetched_at: now,
    };
    await db.transaction((tx) =>
      tx
        .insertInto('accounts')
        .values({ id: uuid7(clock()), uri: uri.href, created_at: now, ...values })
        .onConflict((oc) => oc.column('uri').doUpdateSet(values))
        .execute(),
    );
    const row = await db.read.selectFrom('accounts').selectAll().where('uri', '=', uri.href).executeTakeFirstOrThrow();
    await deps.media.profileImages(row, await imageUrl(actor, 'icon'), await imageUrl(actor, 'image'));
    deps.changes.emit({ kind: 'accounts', ids: [row.id] });
    return row;
  }

  /** The local account a URI names, if it is one of ours. */
  async function localAccountByUri(uri: string): Promise<AccountRow | undefined> {
    return db.read.selectFrom('accounts').selectAll().where('uri', '=', uri).where('domain', 'is', null).executeTakeFirst();
  }

  /** Stores a post by `author` (already checked to be its attributed author); returns its id, or the existing one. */
  async function savePost(post: RemotePost, author: AccountRow): Promise<string> {
    const uri = post.id!.href;
    const existing = await db.read.selectFrom('statuses').select('id').where('uri', '=', uri).executeTakeFirst();
    if (existing) return existing.id;
    const tomb = await db.read.selectFrom('tombstones').select('uri').where('uri', '=', uri).executeTakeFirst();
    if (tomb) return '';
    const shape = await describe(post, author);
    const id = uuid7(clock());
    const now = isoAt(clock);
    const instant = post.published as unknown as { epochMilliseconds: number } | null;
    const published = instant ? new Date(instant.epochMilliseconds) : new Date(clock());
    const createdAt = Number.isNaN(published.getTime()) || published.getTime() > clock() + 60_000 ? now : published.toISOString();
    await db.transaction(async (tx) => {
      await tx
        .insertInto('statuses')
        .values({
          id,
          account_id: author.id,
          uri,
          url: shape.url,
          domain: author.domain,
          in_reply_to_id: shape.parent?.id ?? null,
          in_reply_to_account_id: shape.parent?.account_id ?? null,
          reblog_of_id: null,
          quote_of_id: shape.quoteId,
          text: '',
          content: shape.content,
          spoiler_text: shape.spoilerText,
          sensitive: shape.sensitive,
          visibility: shape.visibility,
          language: shape.language,
          created_at: createdAt,
          updated_at: now,
          edited_at: null,
          thread_id: shape.parent ? (shape.parent.thread_id ?? shape.parent.id) : id,
          application_name: null,
        })
        .onConflict((oc) => oc.column('uri').doNothing())
        .execute();
      if (shape.mentions.length)
        await tx
          .insertInto('mentions')
          .values(shape.mentions.map((account_id) => ({ status_id: id, account_id })))
          .execute();
      const tagIds = await upsertTags(tx, shape.tags, now);
      if (tagIds.length)
        await tx
          .insertInto('status_tags')
          .values([...new Set(tagIds)].map((tag_id) => ({ status_id: id, tag_id })))
          .execute();
      if (shape.visibility === 'public' || shape.visibility === 'unlisted')
        await deps.search.add(tx, id, `${shape.spoilerText} ${stripTags(shape.content)}`);
      await bumpStatusCount(tx, author.id, 1, now);
      const threadId = shape.parent ? (shape.parent.thread_id ?? shape.parent.id) : id;
      for (const mentioned of shape.mentions)
        await notify(tx, { accountId: mentioned, fromAccountId: author.id, type: 'mention', statusId: id, now, threadId });
      if (shape.quoteAuthorId)
        await notify(tx, { accountId: shape.quoteAuthorId, fromAccountId: author.id, type: 'quote', statusId: id, now });
    });
    await deps.media.attachments(id, author.id, shape.attachments);
    deps.changes.emit({ kind: 'status-posted', statusId: id, authorId: author.id, tags: shape.tags });
    deps.changes.emit({ kind: 'statuses', ids: [shape.parent?.id, shape.quoteId].filter((x): x is string => !!x) });
    deps.changes.emit({ kind: 'accounts', ids: [author.id] });
    return id;
  }

  /** Applies an edit of a stored remote post; unknown posts are ignored. */
  async function updatePost(post: RemotePost, author: AccountRow): Promise<boolean> {
    const uri = post.id!.href;
    const status = await db.read
      .selectFrom('statuses')
      .selectAll()
      .where('uri', '=', uri)
      .where('account_id', '=', author.id)
      .executeTakeFirst();
    if (!status) return false;
    const shape = await describe(post, author);
    const now = isoAt(clock);
    await db.transaction(async (tx) => {
      await tx
        .insertInto('status_edits')
        .values({
          id: uuid7(clock()),
          status_id: status.id,
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
          content: shape.content,
          spoiler_text: shape.spoilerText,
          sensitive: shape.sensitive,
          language: shape.language,
          edited_at: now,
          updated_at: now,
        })
        .where('id', '=', status.id)
        .execute();
      await deps.search.remove(tx, status.id);
      if (status.visibility === 'public' || status.visibility === 'unlisted')
        await deps.search.add(tx, status.id, `${shape.spoilerText} ${stripTags(shape.content)}`);
      const reposters = await tx.selectFrom('statuses').select('account_id').where('reblog_of_id', '=', status.id).execute();
      for (const r of reposters)
        await notify(tx, { accountId: r.account_id, fromAccountId: author.id, type: 'update', statusId: status.id, now });
    });
    deps.changes.emit({ kind: 'statuses', ids: [status.id] });
    return true;
  }

  /** Removes a remote post (and reposts of it) for real, if `authorId` wrote it. */
  async function deletePost(uri: string, authorId: string): Promise<boolean> {
    const status = await db.read
      .selectFrom('statuses')
      .select(['id', 'account_id', 'uri', 'in_reply_to_id', 'quote_of_id'])
      .where('uri', '=', uri)
      .where('account_id', '=', authorId)
      .executeTakeFirst();
    if (!status) return false;
    const reposts = await db.transaction((tx) => deleteStatusRows(tx, deps.search, status, isoAt(clock)));
    if (!reposts) return false;
    // Copies of its attachments kept here go with it.
    await deps.media.flush();
    deps.changes.emit({
      kind: 'statuses',
      ids: [status.id, ...reposts.map((r) => r.id), ...[status.in_reply_to_id, status.quote_of_id].filter((x): x is string => x !== null)],
    });
    deps.changes.emit({ kind: 'accounts', ids: [authorId] });
    await db.purge();
    return true;
  }

  /** Where a post stands and what it says, from its audience, tags and links. */
  async function describe(post: RemotePost, author: AccountRow) {
    const audience = [...post.toIds, ...post.ccIds].map((u) => u.href);
    const inTo = post.toIds.some((u) => u.href === PUBLIC_COLLECTION.href);
    const inCc = post.ccIds.some((u) => u.href === PUBLIC_COLLECTION.href);
    const toFollowers = author.followers_url !== null && audience.includes(author.followers_url);
    const visibility: Visibility = inTo ? 'public' : inCc ? 'unlisted' : toFollowers ? 'private' : 'direct';
    const mentions = new Set<string>();
    const tags: string[] = [];
    for await (const tag of post.getTags()) {
      if (tag instanceof Mention && tag.href) {
        const local = await localAccountByUri(tag.href.href);
        if (local) mentions.add(local.id);
      } else if (tag instanceof Hashtag && tag.name) {
        const name = tag.name.toString().replace(/^#/, '');
        if (isHashtagName(name)) tags.push(name);
      }
    }
    // Local accounts addressed directly are mentioned, even without a Mention tag.
    for (const uri of audience) {
      const local = uri.startsWith(deps.publicUrl) ? await localAccountByUri(uri) : undefined;
      if (local) mentions.add(local.id);
    }
    const parentUri = post.replyTargetId?.href;
    const parent = parentUri
      ? await db.read.selectFrom('statuses').select(['id', 'account_id', 'thread_id']).where('uri', '=', parentUri).executeTakeFirst()
      : undefined;
    const quoteUri = (post.quoteId ?? post.quoteUrl)?.href;
    const quoted = quoteUri
      ? await db.read.selectFrom('statuses').select(['id', 'account_id', 'visibility']).where('uri', '=', quoteUri).executeTakeFirst()
      : undefined;
    // A quote is linked when the quoted post's policy lets anyone quote it (the stamp a local author
    // gives on request says the same) and no block stands between the two authors.
    const blocked = quoted ? await blockedEitherWay(db.read, quoted.account_id, author.id) : false;
    const quotable = quoted && !blocked && (quoted.visibility === 'public' || quoted.visibility === 'unlisted');
    const url = post.url instanceof URL ? post.url.href : (post.url?.href?.href ?? null);
    const attachments: RemoteAttachment[] = [];
    for await (const attachment of post.getAttachments()) {
      if (attachments.length >= 4 || !(attachment instanceof Document)) continue;
      const href = attachment.url instanceof URL ? attachment.url : attachment.url?.href;
      if (href && /^https?:$/.test(href.protocol))
        attachments.push({ url: href.href, description: attachment.name ? cap(attachment.name.toString(), 1500) : null });
    }
    return {
      attachments,
      visibility,
      content: sanitizeHtml(cap(post.content?.toString() ?? '', MAX_TEXT)),
      spoilerText: cap(post.summary?.toString() ?? '', 1000),
      sensitive: post.sensitive ?? false,
      language:
        (post.contents.find((c) => typeof c !== 'string') as { locale?: { baseName?: string } } | undefined)?.locale?.baseName?.slice(
          0,
          16,
        ) ?? null,
      mentions: [...mentions],
      tags: [...new Set(tags)].slice(0, 50),
      parent,
      quoteId: quotable ? quoted.id : null,
      quoteAuthorId: quotable ? quoted.account_id : null,
      url: url && sameOrigin(url, post.id!) ? url : post.id!.href,
    };
  }

  return { saveActor, localAccountByUri, savePost, updatePost, deletePost };
}

export type RemoteStore = ReturnType<typeof remoteStore>;

/** Remote text as stored: without NUL characters (PostgreSQL's text refuses them) and at most `max` long. */
function cap(text: string, max: number): string {
  const clean = withoutNul(text);
  return clean.length > max ? clean.slice(0, max) : clean;
}

function sameOrigin(url: string, base: URL): boolean {
  try {
    return new URL(url).origin === base.origin;
  } catch {
    return false;
  }
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ');
}

/** Where an actor's avatar (`icon`) or header (`image`) is, from the embedded Image; nothing is fetched here. */
async function imageUrl(actor: Actor, which: 'icon' | 'image'): Promise<string | null> {
  const noFetch = { documentLoader: () => Promise.reject(new Error('not fetched')), suppressError: true };
  const image = which === 'icon' ? await actor.getIcon(noFetch).catch(() => null) : await actor.getImage(noFetch).catch(() => null);
  const url = image?.url instanceof URL ? image.url : image?.url?.href;
  return url && /^https?:$/.test(url.protocol) ? url.href : null;
}
