import type { Article } from '@fedify/vocab';
import {
  Application,
  Document,
  Emoji,
  Hashtag,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  PropertyValue,
  Question,
  Service,
  type Actor,
} from '@fedify/vocab';
import type { RemotePoll } from '../domain/polls/polls.ts';
import { withoutNul } from '../lib/text.ts';
import type { RemoteProfile } from '../domain/accounts/accounts.repo.ts';
import type { RemoteEmoji } from '../domain/emoji/custom-emojis.ts';
import type { RemoteAttachment } from '../domain/media/remote-media-jobs.ts';
import { sanitizeHtml } from '../domain/statuses/sanitize-html.ts';
import type { RemoteStatusInput } from '../domain/statuses/statuses.service.ts';
import { isHashtagName } from '../domain/statuses/text-format.ts';
import type { Visibility } from '../storage/db/schema.ts';

/** What the network sends that becomes a status: notes, articles and polls alike. */
export type RemotePost = Note | Article | Question;

const MAX_TEXT = 100_000;
const MAX_NAME = 200;
const MAX_FIELDS = 16;
const MAX_TAGS = 50;
const MAX_ATTACHMENTS = 4;
const MAX_ADDRESSEES = 200;
/** Items of a `tag` or `attachment` list looked at, at most: the rest of a longer list is ignored. */
const MAX_LISTED = MAX_TAGS + MAX_ADDRESSEES;

/**
 * Only what an object embeds is read from its lists: a bare URL in `tag` or `attachment` is never fetched
 * (an activity listing thousands would make this server fetch thousands of documents from third parties).
 */
const EMBEDDED_ONLY = { documentLoader: () => Promise.reject(new Error('not fetched')), suppressError: true };

/** The first `max` items of an object's list, as embedded. */
async function* firstEmbedded<T>(items: AsyncIterable<T | null>, max = MAX_LISTED): AsyncIterable<T> {
  let seen = 0;
  for await (const item of items) {
    if (++seen > max) return;
    if (item !== null) yield item;
  }
}

/** A custom emoji as an `Emoji` tag embeds it: its `:shortcode:` name and image (an http(s) URL). */
async function emojiOf(tag: Emoji): Promise<RemoteEmoji | null> {
  const name = tag.name?.toString() ?? '';
  const icon = await tag.getIcon(EMBEDDED_ONLY).catch(() => null);
  const url = icon?.url instanceof URL ? icon.url : icon?.url?.href;
  if (!name || !url || !/^https?:$/.test(url.protocol)) return null;
  return { shortcode: name.replace(/^:|:$/g, ''), url: url.href, uri: tag.id?.href ?? null };
}

/** The custom emoji among an object's tags. */
async function emojisAmong(tags: AsyncIterable<unknown>): Promise<RemoteEmoji[]> {
  const emojis: RemoteEmoji[] = [];
  for await (const tag of firstEmbedded(tags)) {
    const emoji = tag instanceof Emoji ? await emojiOf(tag) : null;
    if (emoji) emojis.push(emoji);
  }
  return emojis;
}

/**
 * What a remote actor document says of its account, made safe to keep: text without NUL characters and
 * capped, HTML sanitized, links only on the actor's own server. Nothing is fetched here.
 */
export async function profileOf(actor: Actor): Promise<RemoteProfile> {
  const uri = actor.id!;
  const fields: { name: string; value: string }[] = [];
  for await (const attachment of firstEmbedded(actor.getAttachments(EMBEDDED_ONLY), MAX_FIELDS * 2)) {
    if (attachment instanceof PropertyValue && fields.length < MAX_FIELDS) {
      fields.push({ name: cap(String(attachment.name ?? ''), MAX_NAME), value: sanitizeHtml(cap(String(attachment.value ?? ''), 2000)) });
    }
  }
  const url = actor.url instanceof URL ? actor.url.href : (actor.url?.href?.href ?? null);
  return {
    uri: uri.href,
    username: cap(actor.preferredUsername?.toString() ?? uri.pathname.split('/').pop() ?? 'unknown', 100),
    domain: uri.host.toLowerCase(),
    url: url && sameOrigin(url, uri) ? url : uri.href,
    displayName: cap(actor.name?.toString() ?? '', MAX_NAME),
    note: sanitizeHtml(cap(actor.summary?.toString() ?? '', MAX_TEXT)),
    locked: actor.manuallyApprovesFollowers ?? false,
    bot: actor instanceof Service || actor instanceof Application,
    discoverable: actor.discoverable ?? false,
    inboxUrl: actor.inboxId?.href ?? null,
    sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
    outboxUrl: actor.outboxId?.href ?? null,
    followersUrl: actor.followersId?.href ?? null,
    followingUrl: actor.followingId?.href ?? null,
    featuredUrl: actor.featuredId?.href ?? null,
    fields,
    alsoKnownAs: actor.aliasIds.map((a) => a.href).slice(0, 20),
    avatarUrl: await imageUrl(actor, 'icon'),
    headerUrl: await imageUrl(actor, 'image'),
    emojis: await emojisAmong(actor.getTags(EMBEDDED_ONLY)),
  };
}

/**
 * What a remote post says and where it stands, made safe to keep: its visibility from its audience, its
 * HTML sanitized, its tags, mentions, attachments and links capped; references stay URIs (the domain finds
 * what they name here). `followersUrl` is its author's followers collection.
 */
export async function postOf(post: RemotePost, followersUrl: string | null, options: { fetched: boolean }): Promise<RemoteStatusInput> {
  const audience = [...post.toIds, ...post.ccIds].map((u) => u.href);
  const inTo = post.toIds.some((u) => u.href === PUBLIC_COLLECTION.href);
  const inCc = post.ccIds.some((u) => u.href === PUBLIC_COLLECTION.href);
  const toFollowers = followersUrl !== null && audience.includes(followersUrl);
  const visibility: Visibility = inTo ? 'public' : inCc ? 'unlisted' : toFollowers ? 'private' : 'direct';
  const mentioned = new Set<string>();
  const tags: string[] = [];
  const emojis: RemoteEmoji[] = [];
  for await (const tag of firstEmbedded(post.getTags(EMBEDDED_ONLY))) {
    if (tag instanceof Mention && tag.href) mentioned.add(tag.href.href);
    else if (tag instanceof Emoji) {
      const emoji = await emojiOf(tag);
      if (emoji) emojis.push(emoji);
    } else if (tag instanceof Hashtag && tag.name) {
      const name = tag.name.toString().replace(/^#/, '');
      if (isHashtagName(name)) tags.push(name);
    }
  }
  // Accounts addressed directly are mentioned too, even without a Mention tag.
  for (const uri of audience) if (uri !== PUBLIC_COLLECTION.href && uri !== followersUrl) mentioned.add(uri);
  const attachments: RemoteAttachment[] = [];
  for await (const attachment of firstEmbedded(post.getAttachments(EMBEDDED_ONLY))) {
    if (attachments.length >= MAX_ATTACHMENTS || !(attachment instanceof Document)) continue;
    const href = attachment.url instanceof URL ? attachment.url : attachment.url?.href;
    if (href && /^https?:$/.test(href.protocol))
      attachments.push({ url: href.href, description: attachment.name ? cap(attachment.name.toString(), 1500) : null });
  }
  const instant = post.published as unknown as { epochMilliseconds: number } | null;
  const url = post.url instanceof URL ? post.url.href : (post.url?.href?.href ?? null);
  return {
    uri: post.id!.href,
    url: url && sameOrigin(url, post.id!) ? url : post.id!.href,
    content: sanitizeHtml(cap(post.content?.toString() ?? '', MAX_TEXT)),
    spoilerText: cap(post.summary?.toString() ?? '', 1000),
    sensitive: post.sensitive ?? false,
    language:
      (post.contents.find((c) => typeof c !== 'string') as { locale?: { baseName?: string } } | undefined)?.locale?.baseName?.slice(
        0,
        16,
      ) ?? null,
    visibility,
    publishedAt: instant ? new Date(instant.epochMilliseconds).toISOString() : null,
    mentionedUris: [...mentioned].slice(0, MAX_ADDRESSEES),
    tags: [...new Set(tags)].slice(0, MAX_TAGS),
    inReplyToUri: post.replyTargetId?.href ?? null,
    quoteUri: (post.quoteId ?? post.quoteUrl)?.href ?? null,
    attachments,
    poll: post instanceof Question ? await pollOf(post) : null,
    emojis,
    fetched: options.fetched,
  };
}

const MAX_POLL_OPTIONS = 20;

/**
 * A Question's poll as its server tells it: the options (one of, or any of) with their counts, when it
 * ends, how many voted. Only embedded options are read; a Question without any is no poll.
 */
async function pollOf(question: Question): Promise<RemotePoll | null> {
  const read = async (listed: AsyncIterable<unknown>) => {
    const options: { title: string; votes: number }[] = [];
    for await (const option of firstEmbedded(listed, MAX_POLL_OPTIONS)) {
      if (!(option instanceof Note)) continue;
      const title = cap(option.name?.toString() ?? '', MAX_NAME);
      if (!title) continue;
      const replies = await option.getReplies(EMBEDDED_ONLY).catch(() => null);
      options.push({ title, votes: Math.max(0, Number(replies?.totalItems ?? 0) || 0) });
    }
    return options;
  };
  // Any of (several choices), else one of.
  const anyOf = await read(question.getInclusiveOptions(EMBEDDED_ONLY));
  const multiple = anyOf.length > 0;
  const options = multiple ? anyOf : await read(question.getExclusiveOptions(EMBEDDED_ONLY));
  if (options.length < 1) return null;
  const instant = (question.endTime ?? (question.closed instanceof Object ? question.closed : null)) as unknown as {
    epochMilliseconds: number;
  } | null;
  return {
    options,
    multiple,
    expiresAt: instant ? new Date(instant.epochMilliseconds).toISOString() : null,
    votersCount: typeof question.voters === 'number' ? question.voters : null,
  };
}

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

/** Where an actor's avatar (`icon`) or header (`image`) is, from the embedded Image; nothing is fetched here. */
async function imageUrl(actor: Actor, which: 'icon' | 'image'): Promise<string | null> {
  const image =
    which === 'icon' ? await actor.getIcon(EMBEDDED_ONLY).catch(() => null) : await actor.getImage(EMBEDDED_ONLY).catch(() => null);
  const url = image?.url instanceof URL ? image.url : image?.url?.href;
  return url && /^https?:$/.test(url.protocol) ? url.href : null;
}
