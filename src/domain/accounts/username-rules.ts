import type { FieldProblem } from '../errors.ts';

/** Names that would impersonate the server or collide with its paths. */
const RESERVED = new Set([
  'admin',
  'administrator',
  'root',
  'support',
  'help',
  'about',
  'api',
  'abuse',
  'postmaster',
  'webmaster',
  'hostmaster',
  'security',
  'moderator',
  'moderators',
  'mod',
  'staff',
  'system',
  'stoa',
  'mastodon',
  'instance',
  'server',
  'official',
  'info',
  'contact',
  'noreply',
  'no_reply',
  'notifications',
  'oauth',
  'auth',
  'settings',
  'users',
  'user',
  'media',
  'static',
  'assets',
  'health',
  'ready',
  'well_known',
  'nodeinfo',
  'inbox',
  'outbox',
  'actor',
  'public',
  'local',
  'home',
  'explore',
  'search',
  'tags',
  'tag',
  'web',
  'app',
  'apps',
  'status',
  'statuses',
]);

/** What is wrong with a username for a new local account (Mastodon's rules), or nothing. */
export function usernameProblems(username: string): FieldProblem[] {
  if (username.length === 0) return [{ error: 'ERR_BLANK', description: "can't be blank" }];
  if (username.length > 30) return [{ error: 'ERR_TOO_LONG', description: 'is too long (maximum is 30 characters)' }];
  if (!/^[a-zA-Z0-9_]+$/.test(username))
    return [{ error: 'ERR_INVALID', description: 'must contain only letters, numbers and underscores' }];
  if (RESERVED.has(username.toLowerCase())) return [{ error: 'ERR_RESERVED', description: 'is reserved' }];
  return [];
}
