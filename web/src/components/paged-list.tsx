// A paged list from the API (timelines, notifications, accounts): the next page loads as the end comes
// into view (or with the button, for keyboards), and newer items wait behind a banner instead of moving
// what is being read. At most 2,000 items are kept; `npm run bench:web` measures scrolling through 1,000.
import { Fragment, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { plural, t } from '../i18n/index.ts';
import { useApp } from '../state.ts';

const POLL_MS = 20_000;
/** Beyond this many items the oldest are let go, so a long session keeps its memory bounded. */
const MAX_ITEMS = 2_000;

export interface PagedListProps<T extends { id: string }> {
  path: string;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  label: string;
  render: (item: T, index: number, count: number, remove: (id: string) => void) => ComponentChildren;
  empty: string;
  /** Look for newer items every 20 s while the page is visible, and offer them with a banner. */
  watchNew?: boolean;
  /** `feed` for posts (the ARIA feed pattern), `list` for anything else. */
  role?: 'feed' | 'list';
}

export function PagedList<T extends { id: string }>({
  path,
  query,
  label,
  render,
  empty,
  watchNew = false,
  role = 'feed',
}: PagedListProps<T>) {
  const { api, announce } = useApp();
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [waiting, setWaiting] = useState<T[]>([]);
  const sentinel = useRef<HTMLDivElement>(null);
  const key = `${path}?${JSON.stringify(query ?? {})}`;

  useEffect(() => {
    let live = true;
    setItems([]);
    setWaiting([]);
    setNext(null);
    setLoading(true);
    setError(null);
    api
      .page<T>(path, { limit: 20, ...query })
      .then((page) => {
        if (!live) return;
        setItems(page.items);
        setNext(page.items.length ? page.next : null);
      })
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e.message : t('error.generic')))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key]);

  const loadMore = useCallback(async () => {
    if (!next || loading) return;
    setLoading(true);
    try {
      const page = await api.page<T>(next);
      setItems((old) => {
        const seen = new Set(old.map((i) => i.id));
        return [...old, ...page.items.filter((i) => !seen.has(i.id))].slice(-MAX_ITEMS);
      });
      setNext(page.items.length ? page.next : null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'));
    } finally {
      setLoading(false);
    }
  }, [next, loading]);

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !next) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore(), {
      rootMargin: '800px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [loadMore, next]);

  const newest = waiting[0]?.id ?? items[0]?.id;
  useEffect(() => {
    if (!watchNew || loading) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      api
        .page<T>(path, { limit: 40, ...query, ...(newest ? { min_id: newest } : {}) })
        .then((page) => {
          if (!page.items.length) return;
          // `min_id` pages come oldest first on some servers and newest first on others: sort by id.
          const fresh = [...page.items].sort((a, b) => (a.id < b.id ? 1 : -1));
          setWaiting((old) => [...fresh.filter((f) => !old.some((o) => o.id === f.id)), ...old]);
          announce(plural('list.new_items', fresh.length));
        })
        .catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [watchNew, loading, newest, key]);

  const showWaiting = () => {
    setItems((old) => [...waiting, ...old].slice(0, MAX_ITEMS));
    setWaiting([]);
    window.scrollTo({ top: 0 });
  };
  const remove = (id: string) => setItems((old) => old.filter((i) => i.id !== id));

  return (
    <section class="paged-list" aria-label={label}>
      {waiting.length ? (
        <button type="button" class="new-items" onClick={showWaiting}>
          {plural('list.show_new', waiting.length)}
        </button>
      ) : null}
      {/* An empty feed or list is no feed or list at all (ARIA wants their items). */}
      {items.length ? (
        <div role={role} aria-busy={loading} class="items">
          {items.map((item, index) =>
            role === 'list' ? (
              <div role="listitem" class="item" key={item.id}>
                {render(item, index, items.length, remove)}
              </div>
            ) : (
              <Fragment key={item.id}>{render(item, index + 1, next ? -1 : items.length, remove)}</Fragment>
            ),
          )}
        </div>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {!loading && !error && items.length === 0 ? <p class="empty">{empty}</p> : null}
      {loading ? <p class="loading">{t('list.loading')}</p> : null}
      {next && !loading ? (
        <button type="button" class="load-more" onClick={() => void loadMore()}>
          {t('list.load_more')}
        </button>
      ) : null}
      <div ref={sentinel} aria-hidden="true" />
    </section>
  );
}
