import type { Context } from '@fedify/fedify';
import {
  Document,
  Emoji,
  Endpoints,
  Hashtag,
  Image,
  InteractionPolicy,
  InteractionRule,
  Mention,
  Note,
  Person,
  PropertyValue,
  PUBLIC_COLLECTION,
  Question,
  Service,
  Collection,
} from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { Config } from '../../config/index.ts';
import { emojisOfAccounts, localEmojisIn, type EmojiRow } from '../../domain/emoji/custom-emojis.ts';
import { mediaOfStatuses } from '../../domain/media/media.repo.ts';
import { loadPolls } from '../../domain/polls/polls.ts';
import type { StatusRow } from '../../domain/statuses/statuses.repo.ts';
import { localQuoteStampFor, statusObjectParts } from '../../domain/statuses/status-lists.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { profileFields, type AccountRow } from '../../domain/accounts/accounts.repo.ts';

/** The identifier of the server's own actor (a reserved username, so no member can take it). */
export const INSTANCE_ACTOR = 'actor';

/** A local account as its ActivityPub actor (a Service for bots). */
export async function actorOf(ctx: Context<void>, db: DbReader, config: Config, account: AccountRow, movedTo: string | null) {
  const username = account.username;
  const keys = await ctx.getActorKeyPairs(username);
  // A suspended account is shown as suspended, with nothing of its profile (as Mastodon's are).
  if (account.suspended_at !== null) {
    const values = {
      id: ctx.getActorUri(username),
      preferredUsername: username,
      url: new URL(account.url ?? account.uri),
      published: dayOf(account.created_at),
      suspended: true,
      manuallyApprovesFollowers: true,
      inbox: ctx.getInboxUri(username),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      outbox: ctx.getOutboxUri(username),
      followers: ctx.getFollowersUri(username),
      following: ctx.getFollowingUri(username),
      publicKey: keys[0]?.cryptographicKey ?? null,
      assertionMethods: keys.map((k) => k.multikey),
    };
    return account.bot ? new Service(values) : new Person(values);
  }
  const values = {
    id: ctx.getActorUri(username),
    preferredUsername: username,
    name: account.display_name,
    summary: account.note,
    url: new URL(account.url ?? account.uri),
    published: dayOf(account.created_at),
    manuallyApprovesFollowers: Boolean(account.locked),
    discoverable: Boolean(account.discoverable),
    inbox: ctx.getInboxUri(username),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    outbox: ctx.getOutboxUri(username),
    followers: ctx.getFollowersUri(username),
    following: ctx.getFollowingUri(username),
    featured: ctx.getFeaturedUri(username),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
    icon: account.avatar_key ? new Image({ url: new URL(`${config.media.baseUrl}/${account.avatar_key}`), mediaType: 'image/jpeg' }) : null,
    image: account.header_key
      ? new Image({ url: new URL(`${config.media.baseUrl}/${account.header_key}`), mediaType: 'image/jpeg' })
      : null,
    attachments: profileFields(account).map((f) => new PropertyValue({ name: f.name, value: f.value })),
    tags: emojiTags(config, (await emojisOfAccounts(db, [account])).get(account.id) ?? []),
    aliases: (JSON.parse(account.also_known_as) as string[]).map((u) => new URL(u)),
    successor: movedTo ? new URL(movedTo) : null,
  };
  return account.bot ? new Service(values) : new Person(values);
}

const IMAGE_TYPES: Record<string, string> = { webp: 'image/webp', jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

/** This server's custom emoji as `Emoji` tags, as Mastodon sends them (`:shortcode:` and the image). */
export function emojiTags(config: Config, emojis: readonly EmojiRow[]): Emoji[] {
  return emojis.map(
    (e) =>
      new Emoji({
        id: new URL(`${config.publicUrl}/emojis/${e.id}`),
        name: `:${e.shortcode}:`,
        updated: Temporal.Instant.from(new Date(e.updated_at).toISOString()),
        icon: new Image({
          url: new URL(`${config.media.baseUrl}/${e.image_key}`),
          mediaType: IMAGE_TYPES[e.image_key!.split('.').pop() ?? ''] ?? 'image/webp',
        }),
      }),
  );
}

/** Who a status is addressed to, as `to` and `cc`, from its visibility and mentions. */
export function audienceOf(visibility: string, followersUri: URL, mentioned: readonly URL[]): { tos: URL[]; ccs: URL[] } {
  switch (visibility) {
    case 'public':
      return { tos: [PUBLIC_COLLECTION], ccs: [followersUri, ...mentioned] };
    case 'unlisted':
      return { tos: [followersUri], ccs: [PUBLIC_COLLECTION, ...mentioned] };
    case 'private':
      return { tos: [followersUri], ccs: [...mentioned] };
    default:
      return { tos: [...mentioned], ccs: [] };
  }
}

/** A local status as a Note, with its mentions, hashtags, attachments, parent and quote. */
export async function noteOf(
  ctx: Context<void>,
  db: DbReader,
  config: Config,
  status: StatusRow,
  author: AccountRow,
): Promise<Note | Question> {
  const parts = await statusObjectParts(db, status);
  const mentioned = parts.mentions;
  const stamp = parts.quoteUri ? (status.quote_authorization_uri ?? (await localQuoteStampUri(db, status.uri))) : null;
  const open = status.visibility === 'public' || status.visibility === 'unlisted';
  const media = (await mediaOfStatuses(db, [status.id])).get(status.id) ?? [];
  const { tos, ccs } = audienceOf(
    status.visibility,
    ctx.getFollowersUri(author.username),
    mentioned.map((m) => new URL(m.uri)),
  );
  const values = {
    id: new URL(status.uri),
    attribution: ctx.getActorUri(author.username),
    content: status.content,
    summary: status.spoiler_text || null,
    sensitive: Boolean(status.sensitive),
    published: Temporal.Instant.from(status.created_at),
    updated: status.edited_at ? Temporal.Instant.from(status.edited_at) : null,
    url: status.url ? new URL(status.url) : null,
    tos,
    ccs,
    replyTarget: parts.inReplyToUri ? new URL(parts.inReplyToUri) : null,
    quote: parts.quoteUri ? new URL(parts.quoteUri) : null,
    quoteUrl: parts.quoteUri ? new URL(parts.quoteUri) : null,
    quoteAuthorization: stamp ? new URL(stamp) : null,
    // Anyone may quote a public or unlisted post (and is given a stamp on request); others only its author.
    interactionPolicy: new InteractionPolicy({
      canQuote: new InteractionRule({ automaticApproval: open ? PUBLIC_COLLECTION : ctx.getActorUri(author.username) }),
    }),
    tags: [
      ...mentioned.map(
        (m) => new Mention({ href: new URL(m.uri), name: `@${m.username}${m.domain ? `@${m.domain}` : `@${config.domain}`}` }),
      ),
      ...parts.tags.map((name) => new Hashtag({ href: new URL(`${config.publicUrl}/tags/${encodeURIComponent(name)}`), name: `#${name}` })),
      ...emojiTags(config, await localEmojisIn(db, [status.content, status.spoiler_text])),
    ],
    attachments: media
      .filter((m) => m.state === 'ready' && m.file_key)
      .map(
        (m) =>
          new Document({
            url: new URL(`${config.media.baseUrl}/${m.file_key}`),
            mediaType: m.type === 'image' ? 'image/jpeg' : m.type === 'audio' ? 'audio/mpeg' : 'video/mp4',
            name: m.description ?? null,
          }),
      ),
  };
  const poll = (await loadPolls(db, [status.id], null, Date.now())).get(status.id);
  if (!poll) return new Note(values);
  // A poll is a Question (as Mastodon sends it): its options as Notes with their counts so far.
  const options = poll.titles.map((title, i) => new Note({ name: title, replies: new Collection({ totalItems: poll.tallies[i] ?? 0 }) }));
  const multiple = Boolean(poll.poll.multiple);
  const endTime = poll.poll.expires_at ? Temporal.Instant.from(new Date(poll.poll.expires_at).toISOString()) : null;
  return new Question({
    ...values,
    ...(multiple ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    endTime,
    closed: poll.expired ? endTime : null,
    voters: poll.voters,
  });
}

/** A local member's vote in a remote poll: a Note naming the chosen option, in reply to the Question. */
export function voteOf(
  ctx: Context<void>,
  voter: AccountRow,
  vote: { id: string; title: string },
  questionUri: string,
  authorUri: string,
): Note {
  return new Note({
    id: new URL(`${ctx.getActorUri(voter.username).href}#votes/${vote.id}`),
    attribution: ctx.getActorUri(voter.username),
    name: vote.title,
    replyTarget: new URL(questionUri),
    to: new URL(authorUri),
  });
}

/** Appended to a quoting post's URI to make the id of its request to quote (FEP-044f). */
export const QUOTE_REQUEST_SUFFIX = '#quote-request';

/** The URL of a stamp this server issued for the post at `quotingUri`, if any. */
export async function localQuoteStampUri(db: DbReader, quotingUri: string): Promise<string | null> {
  const stamp = await localQuoteStampFor(db, quotingUri);
  return stamp ? quoteStampUri(stamp.uri, stamp.id) : null;
}

/** Where a stamp issued by the local account at `authorUri` is served. */
export function quoteStampUri(authorUri: string, id: string): string {
  return `${authorUri}/quote_authorizations/${id}`;
}

/** When an account was made, to the day (as the API and Mastodon tell it): the exact time is nobody's business. */
function dayOf(createdAt: string): Temporal.Instant {
  return Temporal.Instant.from(`${createdAt.slice(0, 10)}T00:00:00Z`);
}
