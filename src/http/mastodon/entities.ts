// The wire contract of the Mastodon client API as Stoa serves it: every entity, field by field, defined once.
// The serializers return these types and the web client reads them, so a field renamed or dropped on one
// side does not type-check on the other. This file imports only the list of notification types (which
// imports nothing), so that the web client can use it.
import type { NotificationType } from '../../domain/notifications/notification-types.ts';

/** Who may see a status. */
export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** A profile field; `value` is HTML. */
export interface Field {
  name: string;
  value: string;
  verified_at: string | null;
}

/** Mastodon's Account entity: public by design (never an email, a role, an address or internal flags). */
export interface Account {
  id: string;
  username: string;
  acct: string;
  url: string;
  uri: string;
  display_name: string;
  /** HTML. */
  note: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  locked: boolean;
  fields: Field[];
  emojis: CustomEmoji[];
  bot: boolean;
  group: boolean;
  discoverable: boolean | null;
  indexable: boolean;
  noindex: boolean;
  hide_collections: boolean;
  created_at: string;
  last_status_at: string | null;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  /** The account it moved to, when it has. */
  moved?: Account | null;
  /** Limited by the moderators of this server. */
  limited?: true;
}

/** The account's settings, in its own credentials. */
export interface Source {
  privacy: Visibility;
  sensitive: boolean;
  language: string;
  /** Plain text. */
  note: string;
  fields: Field[];
  follow_requests_count: number;
  hide_collections: boolean;
  discoverable: boolean;
  indexable: boolean;
}

/** A role, as Mastodon shows it to the account that has it. */
export interface Role {
  id: string;
  name: string;
  permissions: string;
  color: string;
  highlighted: boolean;
}

/** Mastodon's CredentialAccount: the signed-in account as its owner sees it. */
export interface CredentialAccount extends Account {
  source: Source;
  role: Role;
}

/** Mastodon's MediaAttachment; `url` is null while the file is being processed. */
export interface MediaAttachment {
  id: string;
  type: 'image' | 'video' | 'gifv' | 'audio' | 'unknown';
  url: string | null;
  preview_url: string | null;
  remote_url: null;
  preview_remote_url: null;
  text_url: null;
  meta: {
    focus?: { x: number; y: number };
    small?: { width: number; height: number; size?: string; aspect?: number };
    original?: {
      width?: number;
      height?: number;
      size?: string;
      aspect?: number;
      duration?: number;
      frame_rate?: string;
      bitrate?: number;
    };
  } | null;
  description: string | null;
  blurhash: string | null;
}

/** An account a status mentions. */
export interface Mention {
  id: string;
  username: string;
  url: string;
  acct: string;
}

/** A hashtag; `following` for a signed-in viewer. */
export interface Tag {
  name: string;
  url: string;
  history?: { day: string; uses: string; accounts: string }[];
  following?: boolean;
}

/** A custom emoji (`GET /api/v1/custom_emojis`, and in the entities that show one). */
export interface CustomEmoji {
  shortcode: string;
  url: string;
  static_url: string;
  visible_in_picker: boolean;
  category: string | null;
}

/** A link's preview (`card` in a Status). */
export interface PreviewCard {
  url: string;
  title: string;
  description: string;
  type: 'link' | 'photo' | 'video' | 'rich';
  author_name: string;
  author_url: string;
  provider_name: string;
  provider_url: string;
  html: string;
  width: number;
  height: number;
  image: string | null;
  image_description: string;
  embed_url: string;
  blurhash: string | null;
  language: string | null;
  published_at: string | null;
  authors: { name: string; url: string; account: null }[];
}

/** An announcement from the operator (`GET /api/v1/announcements`). */
export interface Announcement {
  id: string;
  content: string;
  starts_at: string | null;
  ends_at: string | null;
  all_day: boolean;
  published_at: string;
  updated_at: string;
  read: boolean;
  mentions: never[];
  statuses: never[];
  tags: never[];
  emojis: CustomEmoji[];
  reactions: { name: string; count: number; me: boolean; url?: string; static_url?: string }[];
}

/** A hashtag a profile features, with how often its owner used it. */
export interface FeaturedTag {
  id: string;
  name: string;
  url: string;
  statuses_count: number;
  /** The day of the owner's latest post with it (`YYYY-MM-DD`). */
  last_status_at: string | null;
}

/** A quoted post, or why it is not shown (Mastodon 4.5's Quote). */
export interface Quote {
  state: 'accepted' | 'deleted' | 'unauthorized';
  quoted_status: Status | null;
}

/** Mastodon's Status entity, for one viewer (`favourited`... only for a signed-in one). */
export interface Status {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: Account;
  /** HTML; empty for a repost. */
  content: string;
  visibility: Visibility;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MediaAttachment[];
  application?: { name: string; website: string | null };
  mentions: Mention[];
  tags: Tag[];
  emojis: CustomEmoji[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  quotes_count: number;
  edited_at: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: Status | null;
  quote: Quote | null;
  quote_approval: { automatic: string[]; manual: string[]; current_user: string };
  poll: Poll | null;
  card: PreviewCard | null;
  language: string | null;
  filtered: FilterResult[];
  /** The source text, where Mastodon gives it (deleting, for "delete and redraft"). */
  text?: string;
  favourited?: boolean;
  reblogged?: boolean;
  muted?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
}

/** A status's source, for editing. */
export interface StatusSource {
  id: string;
  text: string;
  spoiler_text: string;
}

/** A version of a status (`GET /api/v1/statuses/:id/history`). */
export interface StatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: Account;
  media_attachments: MediaAttachment[];
  emojis: CustomEmoji[];
  poll: null;
}

/** The thread around a status. */
export interface Context {
  ancestors: Status[];
  descendants: Status[];
}

export type { NotificationType };

/** Mastodon's Notification entity. */
export interface Notification {
  id: string;
  type: NotificationType;
  created_at: string;
  group_key: string;
  account: Account;
  status?: Status;
  /** For `moderation_warning`: the strike. */
  moderation_warning?: AccountWarning;
  /** For `admin.report`: the report. */
  report?: Report;
}

/** How the viewer stands to an account. */
export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

/** `GET /api/v2/search`. */
export interface Search {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
}

/** Where the account stopped reading a timeline. */
export interface Marker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

/** A rule of the server. */
export interface Rule {
  id: string;
  text: string;
  hint: string;
}

/** A registered app; `client_id` and `client_secret` only when it is created. */
export interface Application {
  id: string;
  name: string;
  website: string | null;
  scopes: string[];
  redirect_uri: string;
  redirect_uris: string[];
  vapid_key: string;
  client_id?: string;
  client_secret?: string;
  client_secret_expires_at?: number;
}

/** The limits of statuses and attachments a client must keep to. */
export interface InstanceConfiguration {
  accounts: { max_featured_tags: number; max_pinned_statuses: number };
  statuses: { max_characters: number; max_media_attachments: number; characters_reserved_per_url: number };
  media_attachments: {
    supported_mime_types: readonly string[];
    description_limit: number;
    image_size_limit: number;
    image_matrix_limit: number;
    video_size_limit: number;
    video_frame_rate_limit: number;
    video_matrix_limit: number;
  };
  polls: { max_options: number; max_characters_per_option: number; min_expiration: number; max_expiration: number };
}

/** Mastodon's Instance entity (`GET /api/v2/instance`). */
export interface Instance {
  domain: string;
  title: string;
  version: string;
  source_url: string;
  description: string;
  usage: { users: { active_month: number } };
  thumbnail: { url: string; blurhash: null; versions: Record<string, never> };
  icon: never[];
  languages: string[];
  configuration: InstanceConfiguration & {
    urls: { streaming: string; status: null; about: string; privacy_policy: null; terms_of_service: null };
    vapid: { public_key: string };
    translation: { enabled: boolean };
  };
  registrations: {
    enabled: boolean;
    approval_required: boolean;
    reason_required: boolean;
    message: null;
    url: string | null;
    min_age: null;
  };
  api_versions: { mastodon: number };
  contact: { email: string; account: null };
  rules: Rule[];
}

/** Mastodon's V1::Instance entity (`GET /api/v1/instance`). */
export interface InstanceV1 {
  uri: string;
  title: string;
  short_description: string;
  description: string;
  email: string;
  version: string;
  urls: { streaming_api: string };
  stats: { user_count: number; status_count: number; domain_count: number };
  thumbnail: string;
  languages: string[];
  registrations: boolean;
  approval_required: boolean;
  invites_enabled: boolean;
  configuration: InstanceConfiguration;
  contact_account: null;
  rules: Rule[];
}

/** An access token as the OAuth token endpoint (and sign-up) answers it. */
export interface Token {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  created_at: number;
  expires_in?: number;
  refresh_token?: string;
}

/** A report, as its reporter sees it. */
export interface Report {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: string;
  comment: string;
  forwarded: boolean;
  created_at: string;
  status_ids: string[];
  rule_ids: string[];
  target_account: Account | null;
}

/** An account as moderators see it (Mastodon's Admin::Account). */
export interface AdminAccount {
  id: string;
  username: string;
  domain: string | null;
  created_at: string;
  email: string;
  ip: string | null;
  ips: { ip: string; used_at: string }[];
  locale: string;
  invite_request: string | null;
  role: Role;
  confirmed: boolean;
  approved: boolean;
  disabled: boolean;
  silenced: boolean;
  suspended: boolean;
  sensitized: boolean;
  account: Account;
  invited_by_account_id: string | null;
}

/** A report, as moderators see it (Mastodon's Admin::Report), with the server it came from when no member filed it. */
export interface AdminReport {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: string;
  comment: string;
  forwarded: boolean;
  created_at: string;
  updated_at: string;
  account: AdminAccount | null;
  origin_domain: string | null;
  target_account: AdminAccount;
  assigned_account: AdminAccount | null;
  action_taken_by_account: AdminAccount | null;
  statuses: Status[];
  status_ids: string[];
  rules: Rule[];
}

/** A server moderated as a whole (Mastodon's Admin::DomainBlock). */
export interface AdminDomainBlock {
  id: string;
  domain: string;
  digest: string;
  created_at: string;
  severity: 'silence' | 'suspend' | 'noop';
  reject_media: boolean;
  reject_reports: boolean;
  private_comment: string | null;
  public_comment: string | null;
  obfuscate: boolean;
  /** Where the block came from: null when made here, else the import it was read from. */
  source: string | null;
}

/** A blocked domain as the public list shows it (Mastodon's DomainBlock). */
export interface PublicDomainBlock {
  domain: string;
  digest: string;
  severity: 'silence' | 'suspend';
  comment?: string;
}

/** A server allowed in allowlist federation. */
export interface AdminDomainAllow {
  id: string;
  domain: string;
  created_at: string;
}

/** An email domain whose addresses may not sign up. */
export interface AdminEmailDomainBlock {
  id: string;
  domain: string;
  created_at: string;
  history: { day: string; accounts: string; uses: string }[];
}

/** An address or range and what it may not do. */
export interface AdminIpBlock {
  id: string;
  ip: string;
  severity: 'sign_up_requires_approval' | 'sign_up_block' | 'no_access';
  comment: string;
  created_at: string;
  expires_at: string | null;
}

/** An email address blocked by its canonical hash. */
export interface AdminCanonicalEmailBlock {
  id: string;
  canonical_email_hash: string;
}

/** A dashboard figure over a span of days. */
export interface AdminMeasure {
  key: string;
  unit: string | null;
  total: string;
  human_value?: string;
  previous_total?: string;
  data: { date: string; value: string }[];
}

/** A strike, as its member sees it (Mastodon's AccountWarning). */
export interface AccountWarning {
  id: string;
  action: string;
  text: string;
  status_ids: string[];
  target_account: Account;
  appeal: { text: string; state: 'pending' | 'approved' | 'rejected' } | null;
  created_at: string;
}

/** A Web Push subscription. */
export interface WebPushSubscription {
  id: string;
  endpoint: string;
  standard: boolean;
  alerts: Record<string, boolean>;
  policy: string;
  server_key: string;
}

/** Mastodon's error body. */
export interface ApiError {
  error: string;
  error_description?: string;
  details?: Record<string, { error: string; description: string }[]>;
}

/** What the member's posts get by default (Mastodon's Preferences entity). */
export interface Preferences {
  'posting:default:visibility': 'public' | 'unlisted' | 'private' | 'direct';
  'posting:default:sensitive': boolean;
  'posting:default:language': string | null;
  'reading:expand:media': 'default' | 'show_all' | 'hide_all';
  'reading:expand:spoilers': boolean;
}

/** Mastodon's List entity. */
export interface List {
  id: string;
  title: string;
  replies_policy: 'followed' | 'list' | 'none';
  exclusive: boolean;
}

export type FilterContext = 'home' | 'notifications' | 'public' | 'thread' | 'account';

/** Mastodon's FilterKeyword entity. */
export interface FilterKeyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}

/** Mastodon's FilterStatus entity. */
export interface FilterStatus {
  id: string;
  status_id: string;
}

/** Mastodon's Filter entity (v2); inside a FilterResult without its keywords and statuses. */
export interface Filter {
  id: string;
  title: string;
  context: FilterContext[];
  expires_at: string | null;
  filter_action: 'warn' | 'blur' | 'hide';
  keywords?: FilterKeyword[];
  statuses?: FilterStatus[];
}

/** Mastodon's FilterResult entity: which filter matched a status, and by what. */
export interface FilterResult {
  filter: Filter;
  keyword_matches: string[] | null;
  status_matches: string[] | null;
}

/** The v1 Filter entity, for old apps. */
export interface V1Filter {
  id: string;
  phrase: string;
  context: FilterContext[];
  whole_word: boolean;
  expires_at: string | null;
  irreversible: boolean;
}

/** Mastodon's ScheduledStatus entity: a post waiting for its time, with the parameters it was sent with. */
export interface ScheduledStatus {
  id: string;
  scheduled_at: string;
  params: {
    text: string;
    poll: { options: string[]; expires_in: number; multiple: boolean; hide_totals: boolean } | null;
    media_ids: string[] | null;
    sensitive: boolean | null;
    spoiler_text: string | null;
    visibility: 'public' | 'unlisted' | 'private' | 'direct';
    in_reply_to_id: string | null;
    quoted_status_id: string | null;
    language: string | null;
    application_id: null;
    scheduled_at: null;
    idempotency: null;
    with_rate_limit: boolean;
  };
  media_attachments: MediaAttachment[];
}

/** Mastodon's Conversation entity: a direct conversation, its other participants and its newest post. */
export interface Conversation {
  id: string;
  unread: boolean;
  accounts: Account[];
  last_status: Status;
}

/** Mastodon's Poll entity, for one viewer. */
export interface Poll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  /** `votes_count` is null while a poll that hides its totals runs (except for its author). */
  options: { title: string; votes_count: number | null }[];
  emojis: CustomEmoji[];
  voted?: boolean;
  own_votes?: number[];
}

/** Mastodon's NotificationGroup entity. */
export interface NotificationGroupEntity {
  group_key: string;
  notifications_count: number;
  type: NotificationType;
  most_recent_notification_id: string;
  page_min_id: string;
  page_max_id: string;
  latest_page_notification_at: string;
  sample_account_ids: string[];
  status_id?: string;
  moderation_warning?: AccountWarning;
  report?: Report;
}

/** An account as grouped notifications name it with `expand_accounts=partial_avatars`. */
export interface PartialAccountWithAvatar {
  id: string;
  acct: string;
  url: string;
  avatar: string;
  avatar_static: string;
  locked: boolean;
  bot: boolean;
}

/** Mastodon's GroupedNotificationsResults: each account and status once, the groups referring to them. */
export interface GroupedNotificationsResults {
  accounts: Account[];
  partial_accounts?: PartialAccountWithAvatar[];
  statuses: Status[];
  notification_groups: NotificationGroupEntity[];
}

/** Mastodon's NotificationPolicy entity (v2). */
export interface NotificationPolicy {
  for_not_following: 'accept' | 'filter' | 'drop';
  for_not_followers: 'accept' | 'filter' | 'drop';
  for_new_accounts: 'accept' | 'filter' | 'drop';
  for_private_mentions: 'accept' | 'filter' | 'drop';
  for_limited_accounts: 'accept' | 'filter' | 'drop';
  summary: { pending_requests_count: number; pending_notifications_count: number };
}

/** Mastodon's NotificationRequest entity: the notifications one sender's are held in. */
export interface NotificationRequest {
  id: string;
  created_at: string;
  updated_at: string;
  account: Account;
  /** A count, as a string (as Mastodon gives it). */
  notifications_count: string;
  last_status?: Status;
}
