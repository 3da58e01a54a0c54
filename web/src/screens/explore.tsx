// Explore: what trends on this server — hashtags, posts and links that many people shared lately.
import { useEffect, useState } from 'preact/hooks';
import { LinkCard } from '../components/link-card.tsx';
import { StatusCard } from '../components/status.tsx';
import { plural, t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { PreviewCard, Status, Tag } from '../types.ts';

type TrendLink = PreviewCard & { history: { accounts: string }[] };

/** People who used a hashtag or shared a link in the last two days (the two newest days of its history). */
const recentPeople = (history: readonly { accounts: string }[] | undefined) =>
  (history ?? []).slice(0, 2).reduce((sum, day) => sum + Number(day.accounts), 0);

export function ExploreScreen() {
  const { api } = useApp();
  const [tags, setTags] = useState<Tag[] | null>(null);
  const [statuses, setStatuses] = useState<Status[] | null>(null);
  const [links, setLinks] = useState<TrendLink[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([
      api.get<Tag[]>('/api/v1/trends/tags'),
      api.get<Status[]>('/api/v1/trends/statuses'),
      api.get<TrendLink[]>('/api/v1/trends/links'),
    ])
      .then(([t1, s1, l1]) => {
        if (!live) return;
        setTags(t1);
        setStatuses(s1);
        setLinks(l1);
      })
      .catch(() => live && setError(t('error.generic')));
    return () => {
      live = false;
    };
  }, [api]);
  if (error) return <p class="error">{error}</p>;
  if (!tags || !statuses || !links) return <p class="loading">{t('list.loading')}</p>;
  return (
    <>
      <h1>{t('nav.explore')}</h1>
      <section aria-labelledby="explore-tags">
        <h2 id="explore-tags">{t('explore.tags')}</h2>
        {tags.length ? (
          <ul class="trend-tags">
            {tags.map((tag) => (
              <li key={tag.name}>
                <a href={`/web/tags/${encodeURIComponent(tag.name)}`}>#{tag.name}</a>{' '}
                <span class="trend-people">{plural('explore.people', recentPeople(tag.history))}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('explore.tags_empty')}</p>
        )}
      </section>
      <section aria-labelledby="explore-posts">
        <h2 id="explore-posts">{t('explore.posts')}</h2>
        {statuses.length ? (
          <div role="feed" aria-labelledby="explore-posts">
            {statuses.map((status, i) => (
              <StatusCard key={status.id} status={status} position={i + 1} setSize={statuses.length} onDeleted={() => undefined} />
            ))}
          </div>
        ) : (
          <p>{t('explore.posts_empty')}</p>
        )}
      </section>
      <section aria-labelledby="explore-links">
        <h2 id="explore-links">{t('explore.links')}</h2>
        {links.length ? (
          <ul class="trend-links">
            {links.map((link) => (
              <li key={link.url}>
                <LinkCard card={link} />
                <span class="trend-people">{plural('explore.people', recentPeople(link.history))}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('explore.links_empty')}</p>
        )}
      </section>
    </>
  );
}
