// The signed-in app: landmarks (banner, navigation, main), a skip link, the live region, the composer.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { ComposeDialog } from './components/compose.tsx';
import { t } from './i18n/index.ts';
import { savePrefs, type Prefs } from './prefs.ts';
import { useRoute, type Route } from './router.ts';
import { ExploreScreen } from './screens/explore.tsx';
import { ListScreen, ListsScreen } from './screens/lists.tsx';
import { FollowRequestsScreen } from './screens/follow-requests.tsx';
import { NotificationsScreen } from './screens/notifications.tsx';
import { ProfileScreen } from './screens/profile.tsx';
import { SearchScreen } from './screens/search.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { ThreadScreen } from './screens/thread.tsx';
import { HomeScreen, MarkedScreen, PublicScreen, TagScreen } from './screens/timelines.tsx';
import { AppContext, type AppState, type Draft } from './state.ts';
import type { CredentialAccount, Instance } from './types.ts';

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
    case 'compose':
      return <HomeScreen />;
    case 'local':
      return <PublicScreen local />;
    case 'federated':
      return <PublicScreen local={false} />;
    case 'notifications':
      return <NotificationsScreen />;
    case 'search':
      return <SearchScreen q={route.q} />;
    case 'bookmarks':
    case 'favourites':
      return <MarkedScreen kind={route.name} />;
    case 'follow-requests':
      return <FollowRequestsScreen />;
    case 'explore':
      return <ExploreScreen />;
    case 'lists':
      return <ListsScreen />;
    case 'list':
      return <ListScreen id={route.id} />;
    case 'tag':
      return <TagScreen name={route.tag} />;
    case 'status':
      return <ThreadScreen id={route.id} />;
    case 'account':
      return <ProfileScreen id={route.id} tab={route.tab} />;
    case 'settings':
      return <SettingsScreen section={route.section} />;
    case 'not-found':
      return (
        <>
          <h1>{t('error.not_found_title')}</h1>
          <p>{t('error.not_found')}</p>
        </>
      );
  }
}

const TITLES: Partial<Record<Route['name'], Parameters<typeof t>[0]>> = {
  home: 'nav.home',
  local: 'nav.local',
  federated: 'nav.federated',
  notifications: 'nav.notifications',
  search: 'nav.search',
  bookmarks: 'nav.bookmarks',
  explore: 'nav.explore',
  lists: 'nav.lists',
  favourites: 'nav.favourites',
  'follow-requests': 'nav.follow_requests',
  settings: 'nav.settings',
  status: 'thread.title',
};

function NavLink({ href, current, label }: { href: string; current: boolean; label: string }) {
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
}

export interface AppProps {
  api: Api;
  me: CredentialAccount;
  instance: Instance;
  prefs: Prefs;
  csrf: string;
  vapidKey: string | null;
}

export function App(props: AppProps) {
  const route = useRoute();
  const [me, setMe] = useState(props.me);
  const [prefs, setPrefsState] = useState(props.prefs);
  const [draft, setDraft] = useState<Draft | null>(route.name === 'compose' ? {} : null);
  const [message, setMessage] = useState('');
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  const state: AppState = {
    api: props.api,
    me,
    instance: props.instance,
    prefs,
    csrf: props.csrf,
    vapidKey: props.vapidKey,
    setMe,
    setPrefs: (next) => {
      savePrefs(next);
      setPrefsState(next);
    },
    announce: (text) => {
      // Clear first so that the same message twice is still read out.
      setMessage('');
      requestAnimationFrame(() => setMessage(text));
    },
    compose: (next = {}) => setDraft({ ...next }),
  };

  // On each navigation: the title names the screen, and focus moves to the new screen's heading.
  useEffect(() => {
    const key = TITLES[route.name];
    document.title = `${key ? t(key) : props.instance.title} · ${props.instance.title}`;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [route, prefs.locale]);

  const is = (...names: Route['name'][]) => names.includes(route.name);
  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="app-header">
        <a class="brand" href="/">
          {props.instance.title}
        </a>
        <button type="button" class="primary compose-button" onClick={() => state.compose()}>
          {t('nav.compose')}
        </button>
      </header>
      <nav class="app-nav" aria-label={t('nav.label')}>
        <ul>
          <NavLink href="/" current={is('home')} label={t('nav.home')} />
          <NavLink href="/web/notifications" current={is('notifications')} label={t('nav.notifications')} />
          <NavLink href="/web/search" current={is('search')} label={t('nav.search')} />
          <NavLink href="/web/explore" current={is('explore')} label={t('nav.explore')} />
          <NavLink href="/web/local" current={is('local')} label={t('nav.local')} />
          <NavLink href="/web/federated" current={is('federated')} label={t('nav.federated')} />
          <NavLink href="/web/lists" current={is('lists') || is('list')} label={t('nav.lists')} />
          <NavLink href="/web/bookmarks" current={is('bookmarks')} label={t('nav.bookmarks')} />
          <NavLink href="/web/favourites" current={is('favourites')} label={t('nav.favourites')} />
          {me.locked ? <NavLink href="/web/follow_requests" current={is('follow-requests')} label={t('nav.follow_requests')} /> : null}
          <NavLink href={`/web/accounts/${me.id}`} current={route.name === 'account' && route.id === me.id} label={t('nav.profile')} />
          <NavLink href="/web/settings/preferences" current={is('settings')} label={t('nav.settings')} />
        </ul>
      </nav>
      <main id="main" ref={main} key={prefs.locale}>
        <Screen route={route} />
      </main>
      <div class="toast" role="status" aria-live="polite">
        {message}
      </div>
      {draft ? <ComposeDialog draft={draft} onClose={() => setDraft(null)} /> : null}
    </AppContext.Provider>
  );
}
