// The Mastodon API entities the web client reads: only the fields it uses.

export interface CustomField {
  name: string;
  value: string;
  verified_at: string | null;
}

export interface Account {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  locked: boolean;
  bot: boolean;
  discoverable?: boolean | null;
  note: string;
  url: string;
  avatar: string;
  avatar_static: string;
  header: string;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  fields: CustomField[];
  moved?: Account | null;
  source?: { note: string; privacy: Visibility; language: string | null; sensitive: boolean; fields: CustomField[] };
}

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export interface MediaAttachment {
  id: string;
  type: 'image' | 'video' | 'gifv' | 'audio' | 'unknown';
  url: string | null;
  preview_url: string | null;
  description: string | null;
  blurhash: string | null;
  meta?: {
    focus?: { x: number; y: number };
    small?: { width: number; height: number };
    original?: { width: number; height: number };
  } | null;
}

export interface Mention {
  id: string;
  acct: string;
  url: string;
  username: string;
}

export interface Tag {
  name: string;
  url: string;
  following?: boolean;
  history?: { day: string; uses: string; accounts: string }[];
}

export interface Quote {
  state: string;
  quoted_status: Status | null;
}

export interface Status {
  id: string;
  created_at: string;
  edited_at: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  sensitive: boolean;
  spoiler_text: string;
  visibility: Visibility;
  language: string | null;
  url: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  favourited?: boolean;
  reblogged?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  content: string;
  reblog: Status | null;
  quote?: Quote | null;
  account: Account;
  media_attachments: MediaAttachment[];
  mentions: Mention[];
  tags: Tag[];
}

export interface StatusSource {
  id: string;
  text: string;
  spoiler_text: string;
}

export interface Context {
  ancestors: Status[];
  descendants: Status[];
}

export type NotificationType = 'mention' | 'status' | 'reblog' | 'follow' | 'follow_request' | 'favourite' | 'update' | 'quote' | 'move';

export interface Notification {
  id: string;
  type: NotificationType;
  created_at: string;
  account: Account;
  status?: Status | null;
}

export interface Relationship {
  id: string;
  following: boolean;
  followed_by: boolean;
  requested: boolean;
  blocking: boolean;
  muting: boolean;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
}

export interface Rule {
  id: string;
  text: string;
}

export interface Instance {
  domain: string;
  title: string;
  configuration: {
    statuses: { max_characters: number; max_media_attachments: number };
    media_attachments: { description_limit: number };
  };
  rules?: Rule[];
}
