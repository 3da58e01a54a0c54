import type { StatusView } from '../../../domain/statuses/statuses.views.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { serializeAccount, type AccountUrls } from './account.serializer.ts';
import { serializeCard } from './card.serializer.ts';
import { serializeEmoji } from './emoji.serializer.ts';
import { serializeMedia } from './media.serializer.ts';
import type { Status } from '../entities.ts';
import { serializeFilterResult } from './filter.serializer.ts';
import { serializePoll } from './poll.serializer.ts';

/** Mastodon's Status entity for one viewer. `text` (the source) only where Mastodon sends it. */
export function serializeStatus(view: StatusView, urls: AccountUrls, options: { withSource?: boolean } = {}): Status {
  const { status, account } = view;
  const tagUrl = (name: string) => `${urls.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  return {
    id: status.id,
    uri: status.uri,
    url: status.url,
    created_at: status.created_at,
    account: serializeAccount(account, view.accountCounts, urls, view.accountEmojis),
    content: status.reblog_of_id ? '' : status.content,
    visibility: status.visibility,
    // A moderator may mark an account's media sensitive, whatever its posts say.
    sensitive: toBool(status.sensitive) || (account.sensitized_at !== null && view.media.length > 0),
    spoiler_text: status.spoiler_text,
    media_attachments: view.media.map((m) => serializeMedia(m, urls)),
    application: status.application_name && status.domain === null ? { name: status.application_name, website: null } : undefined,
    mentions: view.mentions.map((m) => ({
      id: m.id,
      username: m.username,
      url: m.url ?? m.uri,
      acct: m.domain ? `${m.username}@${m.domain}` : m.username,
    })),
    tags: view.tags.map((name) => ({ name, url: tagUrl(name) })),
    emojis: view.emojis.map((e) => serializeEmoji(e, urls)),
    reblogs_count: view.counts.reblogs,
    favourites_count: view.counts.favourites,
    replies_count: view.counts.replies,
    quotes_count: view.counts.quotes,
    edited_at: status.edited_at,
    in_reply_to_id: status.in_reply_to_id,
    in_reply_to_account_id: status.in_reply_to_account_id,
    reblog: view.reblog ? serializeStatus(view.reblog, urls) : null,
    quote: view.quote
      ? { state: view.quote.state, quoted_status: view.quote.status ? serializeStatus(view.quote.status, urls) : null }
      : null,
    quote_approval: { automatic: ['public'], manual: [], current_user: 'automatic' },
    poll: view.poll ? serializePoll(view.poll) : null,
    card: view.card ? serializeCard(view.card, urls) : null,
    language: status.language,
    filtered: (view.filtered ?? []).map(serializeFilterResult),
    ...(options.withSource ? { text: status.text } : {}),
    ...(view.viewer
      ? {
          favourited: view.viewer.favourited,
          reblogged: view.viewer.reblogged,
          muted: view.viewer.muted,
          bookmarked: view.viewer.bookmarked,
          pinned: view.viewer.pinned,
        }
      : {}),
  };
}
