/**
 * The notification types Mastodon clients know, as far as Stoa produces them: one list for the domain, the
 * API's entities and the web client. It imports nothing, so that the web client can read it.
 */
export type NotificationType =
  | 'mention'
  | 'status'
  | 'reblog'
  | 'follow'
  | 'follow_request'
  | 'favourite'
  | 'update'
  | 'quote'
  | 'poll'
  | 'move'
  | 'moderation_warning'
  | 'admin.sign_up'
  | 'admin.report';
