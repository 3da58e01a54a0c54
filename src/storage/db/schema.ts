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
  /** Profile fields as JSON: `[{"name": "...", "value": "..."}]`, at most four for local accounts. */
  fields: Generated<string>;
  hide_collections: DefaultBool;
  /** Blob keys of the processed avatar and header images; null shows the defaults. */
  avatar_key: Generated<string | null>;
  header_key: Generated<string | null>;
  /** Other URIs of the same person (ActivityPub `alsoKnownAs`), as a JSON array. */
  also_known_as: Generated<string>;
  /** The account this one moved to, once it has. */
  moved_to_account_id: Generated<string | null>;
  /** When the account moved (to `moved_to_account_id`); moves are rate-limited from it. */
  moved_at: Generated<Timestamp | null>;
  /** For a remote account: the URLs its avatar and header were fetched from. */
  avatar_remote_url: Generated<string | null>;
  header_remote_url: Generated<string | null>;
  /** Limited by a moderator (Mastodon's "silenced"): kept out of public timelines, search and hashtags. */
  silenced_at: Generated<Timestamp | null>;
  /** Its media is always shown as sensitive. */
  sensitized_at: Generated<Timestamp | null>;
  /** Why `suspended_at` is set: by a moderator, or with its whole server (a domain block). */
  suspension_origin: Generated<'moderator' | 'domain' | null>;
  /** Why `silenced_at` is set, likewise. */
  silence_origin: Generated<'moderator' | 'domain' | null>;
}

/** What may trend: hashtags, posts and links (preview cards). */
export type TrendKind = 'tag' | 'status' | 'link';

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
  /** The id of the first post of the thread (its own id for a post that replies to nothing). */
  thread_id: string | null;
  application_name: string | null;
  /** For a local post quoting a remote one: the quoted author's stamp of consent (FEP-044f), once given. */
  quote_authorization_uri: Generated<string | null>;
}

/** An earlier version of an edited status. */
export interface StatusEditsTable {
  id: string;
  status_id: string;
  text: string;
  content: string;
  spoiler_text: string;
  sensitive: boolean | number;
  created_at: Timestamp;
}

/** A hashtag, unique without regard to case. */
export interface TagsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

/** A relation between an account and another (follows, blocks, ...), with when it was made. */
interface AccountPair {
  account_id: string;
  target_account_id: string;
  created_at: Timestamp;
}

/** An accepted follow, or a request waiting for a locked account's answer. */
export interface FollowsTable extends AccountPair {
  id: string;
  show_reblogs: DefaultBool;
  notify: DefaultBool;
  uri: string | null;
  /** The follower is on another server (set when the follow is made: an account's server never changes). */
  by_remote_account: DefaultBool;
}

/** A mute, possibly temporary, possibly also of notifications. */
export interface MutesTable extends AccountPair {
  id: string;
  hide_notifications: DefaultBool;
  expires_at: Timestamp | null;
}

/** Something an account did to a status (favourite, bookmark), ordered by its own id for paging. */
export interface StatusMarkTable {
  id: string;
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

/** What happened that an account should know about. */
export interface NotificationsTable {
  id: string;
  account_id: string;
  from_account_id: string;
  type: string;
  status_id: string | null;
  created_at: Timestamp;
  /** The strike a `moderation_warning` is about. */
  account_warning_id: Generated<string | null>;
  /** The report an `admin.report` is about. */
  report_id: Generated<string | null>;
  /** Held back by the member's notification policy (shown in its sender's request). */
  filtered: DefaultBool;
}

/** What a notification policy does with a kind of notification: let it in, hold it back, or drop it. */
export type PolicyAction = 'accept' | 'filter' | 'drop';

/** What a local user may do beyond posting. */
export type Role = 'user' | 'moderator' | 'admin';

/** The sign-in side of a local account: email, password hash, role, preferences, second factor. */
export interface UsersTable {
  account_id: string;
  email: string;
  password_hash: string;
  role: ColumnType<Role, Role | undefined, Role>;
  confirmed_at: Timestamp | null;
  approved_at: Timestamp | null;
  registration_reason: string | null;
  invite_id: string | null;
  locale: Generated<string>;
  default_visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  default_sensitive: DefaultBool;
  default_language: string | null;
  /** The TOTP seed, encrypted with a key derived from the server secret. */
  totp_secret: string | null;
  totp_enabled_at: Timestamp | null;
  /** The last TOTP time step accepted, so that a code works only once. */
  totp_last_step: number | null;
  last_sign_in_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Sign-in turned off by a moderator; the account itself stays visible. */
  disabled_at: Generated<Timestamp | null>;
  /** The address the account signed up from. */
  sign_up_ip: Generated<string | null>;
}

/** An invitation link: usable `max_uses` times (null: no limit) until `expires_at` (null: never). */
export interface InvitesTable {
  id: string;
  code: string;
  created_by_id: string | null;
  max_uses: number | null;
  uses: Generated<number>;
  expires_at: Timestamp | null;
  created_at: Timestamp;
}

/** A registered OAuth client (a Mastodon app). Its secret is kept only as a hash. */
export interface OauthAppsTable {
  id: string;
  name: string;
  website: string | null;
  /** Allowed redirect URIs, one per line; a request must match one exactly. */
  redirect_uris: string;
  scopes: string;
  client_id: string;
  client_secret_hash: string;
  created_at: Timestamp;
}

/** A single-use authorization code, ten minutes long. */
export interface OauthCodesTable {
  code_hash: string;
  app_id: string;
  account_id: string;
  redirect_uri: string;
  scopes: string;
  /** PKCE S256 challenge, when the client sent one. */
  code_challenge: string | null;
  expires_at: Timestamp;
}

/** An access token (and its refresh token), stored only as SHA-256 hashes. `account_id` is null for app tokens. */
export interface OauthTokensTable {
  id: string;
  app_id: string;
  account_id: string | null;
  token_hash: string;
  refresh_token_hash: string | null;
  scopes: string;
  expires_at: Timestamp;
  refresh_expires_at: Timestamp | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  /** Set for the web client's token: it lives and dies with that browser session. */
  session_id: string | null;
}

/** A signed-in browser. */
export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  user_agent: Generated<string>;
  ip: Generated<string>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

/** A link sent by email: to confirm the address, or to reset the password. */
export interface EmailTokensTable {
  token_hash: string;
  account_id: string;
  purpose: 'confirm' | 'reset';
  expires_at: Timestamp;
}

/** One of the ten single-use TOTP recovery codes, hashed. */
export interface RecoveryCodesTable {
  code_hash: string;
  account_id: string;
}

/** A WebAuthn credential (passkey) registered to an account. */
export interface PasskeysTable {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  counter: Generated<number>;
  transports: Generated<string>;
  name: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

/** Every table Stoa's Kysely instance knows, by name. */
/** What kind of file an attachment is, as Mastodon names it. */
export type MediaType = 'image' | 'gifv' | 'video' | 'audio';

/** An upload: `processing` until its files are made, then `ready` (or `failed`, with the reason). */
export interface MediaAttachmentsTable {
  id: string;
  account_id: string;
  status_id: string | null;
  position: Generated<number>;
  type: MediaType;
  state: 'processing' | 'ready' | 'failed';
  error: string | null;
  file_key: string | null;
  file_size: number | null;
  preview_key: string | null;
  /** Mastodon's `meta` without `focus`, as JSON. */
  meta: string | null;
  blurhash: string | null;
  description: string | null;
  focus_x: Generated<number>;
  focus_y: Generated<number>;
  /** The scheduled post this upload waits for (it is kept until then). */
  scheduled_status_id: Generated<string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  accounts: AccountsTable;
  statuses: StatusesTable;
  users: UsersTable;
  invites: InvitesTable;
  oauth_apps: OauthAppsTable;
  oauth_codes: OauthCodesTable;
  oauth_tokens: OauthTokensTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  status_edits: StatusEditsTable;
  account_stats: {
    account_id: string;
    statuses_count: Generated<number>;
    followers_count: Generated<number>;
    following_count: Generated<number>;
    last_status_at: Timestamp | null;
  };
  tags: TagsTable;
  mentions: { status_id: string; account_id: string };
  status_tags: { status_id: string; tag_id: string };
  favourites: StatusMarkTable;
  bookmarks: StatusMarkTable;
  pins: { account_id: string; status_id: string; created_at: Timestamp };
  tag_follows: { account_id: string; tag_id: string; created_at: Timestamp };
  blocks: AccountPair & { id: string };
  mutes: MutesTable;
  follows: FollowsTable;
  follow_requests: FollowsTable;
  account_domain_blocks: { account_id: string; domain: string; created_at: Timestamp };
  conversation_mutes: { account_id: string; thread_id: string };
  notifications: NotificationsTable;
  markers: { account_id: string; timeline: string; last_read_id: string; version: Generated<number>; updated_at: Timestamp };
  /** SQLite only: the integer keys of the full-text index's rows. */
  status_search_rows: { rowid: Generated<number>; status_id: string };
  idempotency_keys: { account_id: string; key: string; status_id: string; created_at: Timestamp };
  media_attachments: MediaAttachmentsTable;
  blob_deletions: { key: string; created_at: Timestamp };
  actor_keys: ActorKeysTable;
  kv_entries: { key: string; value: string; expires_at: Timestamp | null };
  queue_messages: QueueMessagesTable;
  tombstones: { uri: string; deleted_at: Timestamp };
  quote_authorizations: { id: string; quoted_status_id: string; quoting_uri: string; created_at: Timestamp };
  reports: ReportsTable;
  push_subscriptions: PushSubscriptionsTable;
  server_keys: { name: string; public_key: string; private_key: string; created_at: Timestamp };
  server_settings: { name: string; value: string; updated_at: Timestamp };
  held_usernames: { username: string; created_at: Timestamp };
  imported_statuses: { account_id: string; original_uri: string; status_id: string };
  account_imports: {
    id: string;
    account_id: string;
    kind: string;
    total: number;
    processed: number;
    failed: number;
    state: string;
    created_at: Timestamp;
    finished_at: Generated<Timestamp | null>;
  };
  lists: ListsTable;
  list_accounts: { list_id: string; account_id: string; created_at: Timestamp };
  filters: FiltersTable;
  filter_keywords: { id: string; filter_id: string; keyword: string; whole_word: DefaultBool; created_at: Timestamp };
  filter_statuses: { id: string; filter_id: string; status_id: string; created_at: Timestamp };
  scheduled_statuses: { id: string; account_id: string; scheduled_at: Timestamp; params: string; created_at: Timestamp };
  conversation_marks: { account_id: string; thread_id: string; read_up_to: string | null; removed_up_to: string | null };
  polls: PollsTable;
  poll_votes: { id: string; poll_id: string; account_id: string; choice: number; uri: string | null; created_at: Timestamp };
  notification_policies: {
    account_id: string;
    for_not_following: PolicyAction;
    for_not_followers: PolicyAction;
    for_new_accounts: PolicyAction;
    for_private_mentions: PolicyAction;
    for_limited_accounts: PolicyAction;
    updated_at: Timestamp;
  };
  notification_requests: {
    id: string;
    account_id: string;
    from_account_id: string;
    last_status_id: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  notification_permissions: { account_id: string; from_account_id: string; created_at: Timestamp };
  account_notes: AccountPair & { comment: string };
  endorsements: AccountPair;
  suggestion_dismissals: AccountPair;
  featured_tags: { id: string; account_id: string; tag_id: string; created_at: Timestamp };
  announcements: {
    id: string;
    /** The operator's plain text, and its HTML (links and hashtags). */
    text: string;
    content: string;
    starts_at: Timestamp | null;
    ends_at: Timestamp | null;
    all_day: DefaultBool;
    published_at: Timestamp;
    updated_at: Timestamp;
  };
  announcement_dismissals: { announcement_id: string; account_id: string };
  announcement_reactions: { announcement_id: string; account_id: string; name: string; created_at: Timestamp };
  preview_cards: {
    id: string;
    url: string;
    type: 'link' | 'photo' | 'video' | 'rich';
    title: string;
    description: string;
    author_name: string;
    author_url: string;
    provider_name: string;
    provider_url: string;
    /** The page's image, re-encoded like an upload; null when it has none (or it could not be read). */
    image_key: string | null;
    width: Generated<number>;
    height: Generated<number>;
    blurhash: string | null;
    language: string | null;
    published_at: Timestamp | null;
    fetched_at: Timestamp;
  };
  status_cards: { status_id: string; card_id: string };
  trend_reviews: { kind: TrendKind; target_id: string; trendable: DefaultBool; reviewed_at: Timestamp };
  custom_emojis: {
    id: string;
    shortcode: string;
    /** The emoji's server; null for this server's own. */
    domain: string | null;
    /** A remote emoji's `Emoji` id, and where its image was. */
    uri: string | null;
    remote_url: string | null;
    /** Blob keys of the processed image and its still first frame; null until a remote image is fetched. */
    image_key: string | null;
    static_key: string | null;
    category: string | null;
    visible_in_picker: DefaultBool;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  domain_blocks: DomainBlocksTable;
  domain_allows: { id: string; domain: string; created_at: Timestamp };
  blocklist_subscriptions: { id: string; url: string; created_at: Timestamp; fetched_at: Timestamp | null; last_error: string | null };
  email_domain_blocks: { id: string; domain: string; created_at: Timestamp };
  ip_blocks: {
    id: string;
    ip: string;
    severity: IpBlockSeverity;
    comment: Generated<string>;
    expires_at: Timestamp | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  canonical_email_blocks: { id: string; canonical_email_hash: string; created_at: Timestamp };
  account_warnings: AccountWarningsTable;
  audit_log: AuditLogTable;
  audit_head: { id: number; seq: number; hash: string };
}

/** Which replies a list shows: to anyone its owner follows, to the list's members, or none. */
export type RepliesPolicy = 'followed' | 'list' | 'none';

/** A member's list of accounts (a timeline of its own). */
export interface ListsTable {
  id: string;
  account_id: string;
  title: string;
  replies_policy: RepliesPolicy;
  /** Its members' posts are kept out of the owner's home timeline. */
  exclusive: DefaultBool;
  created_at: Timestamp;
}

/** Where a filter applies, as Mastodon names the contexts. */
export type FilterContext = 'home' | 'notifications' | 'public' | 'thread' | 'account';

/** What a filter does to what it matches: a warning over it, its media blurred, or nothing shown. */
export type FilterAction = 'warn' | 'blur' | 'hide';

/** A member's filter (its keywords and posts in their own tables). */
export interface FiltersTable {
  id: string;
  account_id: string;
  title: string;
  /** The contexts, as a JSON array of `FilterContext`. */
  context: string;
  action: FilterAction;
  expires_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A poll on a post. */
export interface PollsTable {
  id: string;
  status_id: string;
  account_id: string;
  /** The options' titles, as a JSON array. */
  options: string;
  /** A remote poll's counts per option as its server last told them (JSON array); null for a local poll. */
  tallies: string | null;
  /** A remote poll's count of voters as its server last told it. */
  voters_count: number | null;
  multiple: DefaultBool;
  hide_totals: DefaultBool;
  expires_at: Timestamp | null;
  /** When its end was handled (voters notified); null before. */
  ended_at: Generated<Timestamp | null>;
  /** A local poll's new votes are yet to be told to other servers. */
  tally_due: DefaultBool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A Web Push subscription of one access token (Mastodon's WebPushSubscription). */
export interface PushSubscriptionsTable {
  id: string;
  token_id: string;
  account_id: string;
  endpoint: string;
  /** The browser's P-256 public key and auth secret, base64url, as the client sent them. */
  p256dh: string;
  auth: string;
  /** The access token, sealed with the server secret (the payload carries it, as Mastodon's does). */
  access_token: string;
  /** JSON: which notification types are pushed, `{"mention": true, ...}`. */
  alerts: Generated<string>;
  /** Whose notifications are pushed: `all`, `followed`, `follower` or `none`. */
  policy: Generated<string>;
  standard: DefaultBool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A report about an account (and some of its statuses), from a local member or another server. */
export interface ReportsTable {
  id: string;
  account_id: string | null;
  origin_domain: string | null;
  uri: string | null;
  target_account_id: string;
  /** JSON array of status ids. */
  status_ids: Generated<string>;
  comment: Generated<string>;
  category: Generated<string>;
  /** JSON array of rule ids. */
  rule_ids: Generated<string>;
  forwarded: DefaultBool;
  created_at: Timestamp;
  action_taken_at: Timestamp | null;
  /** The moderator handling it. */
  assigned_account_id: Generated<string | null>;
  /** The moderator who resolved it. */
  action_taken_by_account_id: Generated<string | null>;
  updated_at: Generated<Timestamp | null>;
}

/** How hard a domain block bites: `suspend` cuts the server off, `silence` limits it, `noop` only its flags. */
export type DomainBlockSeverity = 'silence' | 'suspend' | 'noop';

/** A server moderated as a whole. */
export interface DomainBlocksTable {
  id: string;
  domain: string;
  severity: DomainBlockSeverity;
  reject_media: DefaultBool;
  reject_reports: DefaultBool;
  private_comment: string | null;
  public_comment: string | null;
  obfuscate: DefaultBool;
  /** Where it came from: null when a moderator made it here, else the file or list it was imported from. */
  source: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What an address block refuses. */
export type IpBlockSeverity = 'sign_up_requires_approval' | 'sign_up_block' | 'no_access';

/** A strike: a moderator's action on an account, with the reason its owner sees and its one appeal. */
export interface AccountWarningsTable {
  id: string;
  account_id: string | null;
  target_account_id: string;
  action: string;
  text: Generated<string>;
  report_id: string | null;
  status_ids: Generated<string>;
  created_at: Timestamp;
  appeal_text: Generated<string | null>;
  appealed_at: Generated<Timestamp | null>;
  appeal_state: Generated<'pending' | 'approved' | 'rejected' | null>;
  appeal_decided_by_id: Generated<string | null>;
  appeal_decided_at: Generated<Timestamp | null>;
}

/** One entry of the audit log; `hash` covers the entry and `prev_hash`, the hash of the entry before it. */
export interface AuditLogTable {
  seq: number;
  account_id: string | null;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  detail: string;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

/** The key pairs an actor signs with: public keys as JWK, private keys sealed (JWK inside). */
export interface ActorKeysTable {
  owner: string;
  rsa_public: string;
  rsa_private: string;
  ed25519_public: string;
  ed25519_private: string;
  created_at: Timestamp;
}

/** A message waiting in the queue, or claimed by a worker until `locked_until`. */
export interface QueueMessagesTable {
  id: string;
  payload: string;
  ordering_key: string | null;
  available_at: Timestamp;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  /** Which queue the message is in (`fedify`, or Stoa's `activity-events`). */
  channel: Generated<string>;
}
