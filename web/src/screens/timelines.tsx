// Home, local and federated timelines, a hashtag's posts, bookmarks and favourites: each a paged list of posts.
import { useEffect, useState } from 'preact/hooks';
import { PagedList } from '../components/paged-list.tsx';
import { StatusCard } from '../components/status.tsx';
import { t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Status, Tag } from '../types.ts';

/** A paged timeline of posts. */
export function StatusList({
  path,
  query,
  label,
  empty,
  watchNew = false,
}: {
  path: string;
  query?: Record<string, string | boolean>;
  label: string;
  empty: string;
  watchNew?: boolean;
}) {
  // A post of one's own appears at once in the timelines it belongs to.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!watchNew) return;
    const refresh = () => setGeneration((g) => g + 1);
    window.addEventListener('stoa:posted', refresh);
    return () => window.removeEventListener('stoa:posted', refresh);
  }, [watchNew]);
  return (
    <PagedList<Status>
      key={generation}
      path={path}
      query={query}
      label={label}
      empty={empty}
      watchNew={watchNew}
      render={(status, position, size, remove) => (
        <StatusCard key={status.id} status={status} position={position} setSize={size} onDeleted={remove} />
      )}
    />
  );
}

export function HomeScreen() {
  return (
    <>
      <h1>{t('nav.home')}</h1>
      <StatusList path="/api/v1/timelines/home" label={t('nav.home')} empty={t('timeline.home_empty')} watchNew />
    </>
  );
}

export function PublicScreen({ local }: { local: boolean }) {
  const title = local ? t('nav.local') : t('nav.federated');
  return (
    <>
      <h1>{title}</h1>
      <StatusList
        path="/api/v1/timelines/public"
        query={local ? { local: true } : {}}
        label={title}
        empty={t('timeline.public_empty')}
        watchNew
      />
    </>
  );
}

export function MarkedScreen({ kind }: { kind: 'bookmarks' | 'favourites' }) {
  const title = kind === 'bookmarks' ? t('nav.bookmarks') : t('nav.favourites');
  return (
    <>
      <h1>{title}</h1>
      <StatusList
        path={`/api/v1/${kind}`}
        label={title}
        empty={kind === 'bookmarks' ? t('timeline.bookmarks_empty') : t('timeline.favourites_empty')}
      />
    </>
  );
}

export function TagScreen({ name }: { name: string }) {
  const { api, announce } = useApp();
  const [tag, setTag] = useState<Tag | null>(null);
  useEffect(() => {
    setTag(null);
    api.get<Tag>(`/api/v1/tags/${encodeURIComponent(name)}`).then(setTag, () => setTag({ name, url: '', following: false }));
  }, [name]);
  const toggle = async () => {
    if (!tag) return;
    const next = await api.post<Tag>(`/api/v1/tags/${encodeURIComponent(tag.name)}/${tag.following ? 'unfollow' : 'follow'}`);
    setTag(next);
    announce(next.following ? t('tag.followed', { name: next.name }) : t('tag.unfollowed', { name: next.name }));
  };
  return (
    <>
      <div class="screen-head">
        <h1>#{name}</h1>
        {tag ? (
          <button type="button" class={tag.following ? '' : 'primary'} aria-pressed={!!tag.following} onClick={() => void toggle()}>
            {tag.following ? t('tag.unfollow') : t('tag.follow')}
          </button>
        ) : null}
      </div>
      <StatusList path={`/api/v1/timelines/tag/${encodeURIComponent(name)}`} label={`#${name}`} empty={t('timeline.tag_empty')} watchNew />
    </>
  );
}
