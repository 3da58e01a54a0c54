import { noteHtml, profileFields, profileFieldsHtml, type AccountRow, type UserRow } from '../../../domain/accounts/accounts.repo.ts';
import type { EmojiRow } from '../../../domain/emoji/custom-emojis.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { serializeEmoji } from './emoji.serializer.ts';
import type { Account, CredentialAccount } from '../entities.ts';

/** Counts shown on a profile. */
export interface AccountCounts {
  readonly statuses: number;
  readonly followers: number;
  readonly following: number;
  readonly lastStatusAt: string | null;
}

/** Where default images and profile pages live. */
export interface AccountUrls {
  readonly publicUrl: string;
  readonly media: { readonly baseUrl: string };
}

/**
 * Mastodon's Account entity. Public by design: it never carries email, role, addresses, sign-in data or
 * internal flags. The join date is given to the day, as Mastodon does.
 */
export function serializeAccount(account: AccountRow, counts: AccountCounts, urls: AccountUrls, emojis: readonly EmojiRow[] = []): Account {
  const avatar = account.avatar_key ? `${urls.media.baseUrl}/${account.avatar_key}` : `${urls.publicUrl}/static/avatar.png`;
  const header = account.header_key ? `${urls.media.baseUrl}/${account.header_key}` : `${urls.publicUrl}/static/header.png`;
  return {
    id: account.id,
    username: account.username,
    acct: account.domain === null ? account.username : `${account.username}@${account.domain}`,
    url: account.url ?? account.uri,
    uri: account.uri,
    display_name: account.display_name,
    note: noteHtml(account),
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: toBool(account.locked),
    fields: profileFieldsHtml(account).map((f) => ({ ...f, verified_at: null })),
    emojis: emojis.map((e) => serializeEmoji(e, urls)),
    bot: toBool(account.bot),
    group: false,
    discoverable: toBool(account.discoverable),
    indexable: false,
    noindex: !toBool(account.discoverable),
    hide_collections: toBool(account.hide_collections),
    created_at: `${account.created_at.slice(0, 10)}T00:00:00.000Z`,
    last_status_at: counts.lastStatusAt ? counts.lastStatusAt.slice(0, 10) : null,
    statuses_count: counts.statuses,
    followers_count: counts.followers,
    following_count: counts.following,
    // Limited by the moderators: apps show the profile behind a warning.
    ...(account.silenced_at !== null ? { limited: true } : {}),
  };
}

/** The Role entity of each role. */
export const ROLES = {
  user: { id: '-99', name: '', permissions: '0', color: '', highlighted: false },
  moderator: { id: '2', name: 'Moderator', permissions: '1308', color: '', highlighted: true },
  admin: { id: '3', name: 'Admin', permissions: '1', color: '', highlighted: true },
} as const;

/** Mastodon's CredentialAccount: the Account plus `source` and `role`, shown only to its owner. */
export function serializeCredentialAccount(
  account: AccountRow,
  user: UserRow,
  counts: AccountCounts & { followRequests: number },
  urls: AccountUrls,
  emojis: readonly EmojiRow[] = [],
): CredentialAccount {
  return {
    ...serializeAccount(account, counts, urls, emojis),
    source: {
      privacy: user.default_visibility,
      sensitive: toBool(user.default_sensitive),
      language: user.default_language ?? '',
      note: account.note,
      fields: profileFields(account).map((f) => ({ ...f, verified_at: null })),
      follow_requests_count: counts.followRequests,
      hide_collections: toBool(account.hide_collections),
      discoverable: toBool(account.discoverable),
      indexable: false,
    },
    role: ROLES[user.role],
  };
}
