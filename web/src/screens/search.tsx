// Search: accounts, hashtags and posts (full text), in one form.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { AccountRow } from '../components/account-name.tsx';
import { StatusCard } from '../components/status.tsx';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useApp } from '../state.ts';
import type { SearchResults } from '../types.ts';

export function SearchScreen({ q }: { q: string }) {
  const { api, announce } = useApp();
  const [query, setQuery] = useState(q);
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setQuery(q);
    setResults(null);
    setError(null);
    if (!q.trim()) return;
    api.get<SearchResults>('/api/v2/search', { q, resolve: true, limit: 20 }).then(
      (r) => {
        setResults(r);
        announce(t('search.found', { accounts: r.accounts.length, hashtags: r.hashtags.length, posts: r.statuses.length }));
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : t('error.generic')),
    );
  }, [q]);
  return (
    <>
      <h1>{t('nav.search')}</h1>
      <form
        role="search"
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/web/search?q=${encodeURIComponent(query.trim())}`);
        }}
      >
        <label class="field">
          <span>{t('search.label')}</span>
          <input type="search" value={query} maxLength={500} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          {t('search.submit')}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {results ? (
        <>
          <section aria-labelledby="results-accounts">
            <h2 id="results-accounts">{t('search.accounts')}</h2>
            {results.accounts.length ? (
              results.accounts.map((a) => <AccountRow key={a.id} account={a} />)
            ) : (
              <p class="empty">{t('search.none')}</p>
            )}
          </section>
          <section aria-labelledby="results-tags">
            <h2 id="results-tags">{t('search.hashtags')}</h2>
            {results.hashtags.length ? (
              <ul class="tag-list">
                {results.hashtags.map((tag) => (
                  <li key={tag.name}>
                    <a href={`/web/tags/${encodeURIComponent(tag.name)}`}>#{tag.name}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="empty">{t('search.none')}</p>
            )}
          </section>
          <section aria-labelledby="results-posts">
            <h2 id="results-posts">{t('search.posts')}</h2>
            {results.statuses.length ? (
              <div role="feed" aria-labelledby="results-posts">
                {results.statuses.map((s) => (
                  <StatusCard key={s.id} status={s} />
                ))}
              </div>
            ) : (
              <p class="empty">{t('search.none')}</p>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
