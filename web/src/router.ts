// A small router over the History API: paths under /web/ (and / for home), links handled in place.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'local' }
  | { name: 'federated' }
  | { name: 'notifications' }
  | { name: 'search'; q: string }
  | { name: 'bookmarks' }
  | { name: 'explore' }
  | { name: 'lists' }
  | { name: 'list'; id: string }
  | { name: 'favourites' }
  | { name: 'follow-requests' }
  | { name: 'tag'; tag: string }
  | { name: 'status'; id: string }
  | { name: 'account'; id: string; tab: 'posts' | 'replies' | 'media' | 'followers' | 'following' }
  | { name: 'compose' }
  | { name: 'settings'; section: 'profile' | 'account' | 'preferences' }
  | { name: 'not-found' };

const ACCOUNT_TABS = ['posts', 'replies', 'media', 'followers', 'following'] as const;
const SETTINGS = ['profile', 'account', 'preferences'] as const;

/** The route of a path; unknown paths are `not-found`. */
export function parseRoute(pathname: string, search = ''): Route {
  const query = new URLSearchParams(search);
  if (pathname === '/' || pathname === '/web' || pathname === '/web/' || pathname === '/web/home') return { name: 'home' };
  const parts = pathname
    .replace(/^\/web\//, '')
    .split('/')
    .map(decodeURIComponent);
  const [head, id, sub] = parts;
  switch (head) {
    case 'local':
    case 'federated':
    case 'notifications':
    case 'bookmarks':
    case 'favourites':
    case 'explore':
    case 'compose':
      return parts.length === 1 ? { name: head } : { name: 'not-found' };
    case 'follow_requests':
      return { name: 'follow-requests' };
    case 'search':
      return { name: 'search', q: query.get('q') ?? '' };
    case 'tags':
      return id ? { name: 'tag', tag: id } : { name: 'not-found' };
    case 'lists':
      return id ? (parts.length === 2 ? { name: 'list', id } : { name: 'not-found' }) : { name: 'lists' };
    case 'statuses':
      return id ? { name: 'status', id } : { name: 'not-found' };
    case 'accounts': {
      const tab = (ACCOUNT_TABS as readonly string[]).includes(sub ?? 'posts') ? ((sub ?? 'posts') as (typeof ACCOUNT_TABS)[number]) : null;
      return id && tab ? { name: 'account', id, tab } : { name: 'not-found' };
    }
    case 'settings': {
      const section = id ?? 'profile';
      return (SETTINGS as readonly string[]).includes(section)
        ? { name: 'settings', section: section as (typeof SETTINGS)[number] }
        : { name: 'not-found' };
    }
    default:
      return { name: 'not-found' };
  }
}

const listeners = new Set<() => void>();

/** Goes to a path of the app without reloading; `replace` rewrites the current history entry. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
  if (!replace) window.scrollTo(0, 0);
}

/** The current route, updated on navigation and on the browser's back and forward. */
export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Same-origin app links (`/web/…`, `/`) open in place; everything else behaves as a normal link. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin) return;
    if (url.pathname !== '/' && !url.pathname.startsWith('/web/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
