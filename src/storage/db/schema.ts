import type { ColumnType, Generated, SqlBool } from 'kysely';

/** ISO-8601 UTC timestamps with milliseconds on both engines: `2026-11-22T02:02:14.123Z`. */
export type Timestamp = string;

/**
 * A boolean column with a database default (optional on insert). Booleans read back as 0/1 from SQLite
 * and true/false from PostgreSQL; read them with `toBool`.
 */
export type DefaultBool = ColumnType<SqlBool, boolean | undefined, boolean>;

/**
 * An account, local (`domain` null) or remote. Every account has the canonical ActivityPub `uri` it is
 * known by across the network, so federation adds rows, not columns.
 */
export interface AccountsTable {
  id: string;
  username: string;
  domain: string | null;
  uri: string;
  url: string | null;
  display_name: Generated<string>;
  note: Generated<string>;
  locked: DefaultBool;
  bot: DefaultBool;
  discoverable: DefaultBool;
  inbox_url: string | null;
  shared_inbox_url: string | null;
  outbox_url: string | null;
  followers_url: string | null;
  following_url: string | null;
  featured_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  suspended_at: Timestamp | null;
  fetched_at: Timestamp | null;
}

/** Who may see a status, as Mastodon names it. */
export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/**
 * A status (post, reply, repost or quote), local (`domain` null) or remote. `text` is the author's source,
 * `content` the sanitized HTML shown to readers.
 */
export interface StatusesTable {
  id: string;
  account_id: string;
  uri: string;
  url: string | null;
  domain: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog_of_id: string | null;
  quote_of_id: string | null;
  text: Generated<string>;
  content: Generated<string>;
  spoiler_text: Generated<string>;
  sensitive: DefaultBool;
  visibility: Visibility;
  language: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  edited_at: Timestamp | null;
}

/** Every table Stoa's Kysely instance knows, by name. */
export interface Database {
  accounts: AccountsTable;
  statuses: StatusesTable;
}
