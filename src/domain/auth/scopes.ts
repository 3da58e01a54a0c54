import { Invalid } from '../errors.ts';

/** Top-level scopes, as Mastodon defines them. */
const TOP = ['read', 'write', 'follow', 'push', 'profile', 'admin:read', 'admin:write'] as const;

const READ = [
  'accounts',
  'blocks',
  'bookmarks',
  'favourites',
  'filters',
  'follows',
  'lists',
  'mutes',
  'notifications',
  'search',
  'statuses',
];
const WRITE = [
  'accounts',
  'blocks',
  'bookmarks',
  'conversations',
  'favourites',
  'filters',
  'follows',
  'lists',
  'media',
  'mutes',
  'notifications',
  'reports',
  'statuses',
];
const ADMIN = ['accounts', 'reports', 'domain_allows', 'domain_blocks', 'ip_blocks', 'email_domain_blocks', 'canonical_email_blocks'];

/** Every scope an app may ask for. */
export const ALL_SCOPES: ReadonlySet<string> = new Set([
  ...TOP,
  ...READ.map((s) => `read:${s}`),
  ...WRITE.map((s) => `write:${s}`),
  ...ADMIN.map((s) => `admin:read:${s}`),
  ...ADMIN.map((s) => `admin:write:${s}`),
]);

/** The legacy `follow` scope grants these. */
const FOLLOW_GRANTS = new Set(['read:follows', 'write:follows', 'read:blocks', 'write:blocks', 'read:mutes', 'write:mutes']);

/** Parses a space-separated scope list (the default is `read`), refusing unknown scopes. */
export function parseScopes(text: string | undefined | null, fallback = 'read'): string[] {
  const scopes = [...new Set((text?.trim() || fallback).split(/[\s+]+/).filter(Boolean))];
  const unknown = scopes.filter((s) => !ALL_SCOPES.has(s));
  if (unknown.length)
    throw new Invalid(`Unknown scope: ${unknown.join(', ')}`, {
      scope: [{ error: 'ERR_INVALID', description: `is not a known scope: ${unknown.join(', ')}` }],
    });
  return scopes;
}

/** Whether granted scopes cover `required`, through a parent (`read` covers `read:statuses`) or `follow`. */
export function scopesGrant(granted: readonly string[], required: string): boolean {
  const set = new Set(granted);
  if (set.has(required)) return true;
  if (required === 'profile') return set.has('read') || set.has('read:accounts');
  const parts = required.split(':');
  for (let i = parts.length - 1; i > 0; i--) {
    if (set.has(parts.slice(0, i).join(':'))) return true;
  }
  return set.has('follow') && FOLLOW_GRANTS.has(required);
}

/** Whether every scope in `requested` is within `allowed` (what the app registered). */
export function scopesWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((scope) => scopesGrant(allowed, scope));
}
