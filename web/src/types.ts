// The Mastodon API entities the web client reads: the server's own wire contract
// (src/http/mastodon/entities.ts), so that the client and the server cannot disagree on a field.

export type {
  Account,
  Context,
  CredentialAccount,
  CustomEmoji,
  Field as CustomField,
  Instance,
  List,
  MediaAttachment,
  Mention,
  Notification,
  Poll,
  PreviewCard,
  NotificationType,
  Quote,
  Relationship,
  Rule,
  Search as SearchResults,
  Status,
  StatusSource,
  Tag,
  Visibility,
} from '../../src/http/mastodon/entities.ts';
