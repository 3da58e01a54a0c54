// Notifications, filtered by type; the marker is moved to the newest one seen.
import { useEffect, useState } from 'preact/hooks';
import { AccountRow, displayName } from '../components/account-name.tsx';
import { PagedList } from '../components/paged-list.tsx';
import { StatusCard } from '../components/status.tsx';
import { formatRelative, t, type MessageKey } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Notification, NotificationType } from '../types.ts';

const FILTERS: [string, MessageKey, NotificationType[]][] = [
  ['all', 'notifications.all', []],
  ['mention', 'notifications.mentions', ['mention']],
  ['favourite', 'notifications.favourites', ['favourite']],
  ['reblog', 'notifications.reblogs', ['reblog', 'quote']],
  ['follow', 'notifications.follows', ['follow', 'follow_request']],
];

const MESSAGES: Record<NotificationType, MessageKey> = {
  mention: 'notification.mention',
  status: 'notification.status',
  reblog: 'notification.reblog',
  follow: 'notification.follow',
  follow_request: 'notification.follow_request',
  favourite: 'notification.favourite',
  update: 'notification.update',
  quote: 'notification.quote',
  poll: 'notification.poll',
  move: 'notification.move',
  moderation_warning: 'notification.moderation_warning',
  'admin.sign_up': 'notification.admin_sign_up',
  'admin.report': 'notification.admin_report',
};

function NotificationItem({ notification }: { notification: Notification }) {
  const name = displayName(notification.account);
  return (
    <article class="notification" aria-label={t(MESSAGES[notification.type], { name })} tabIndex={0}>
      <p class="notification-line">
        <a href={`/web/accounts/${notification.account.id}`}>
          <bdi>{t(MESSAGES[notification.type], { name })}</bdi>
        </a>{' '}
        <time dateTime={notification.created_at}>{formatRelative(notification.created_at)}</time>
      </p>
      {notification.status ? <StatusCard status={notification.status} /> : <AccountRow account={notification.account} />}
    </article>
  );
}

export function NotificationsScreen() {
  const { api } = useApp();
  const [filter, setFilter] = useState('all');
  const types = FILTERS.find(([name]) => name === filter)?.[2] ?? [];
  useEffect(() => {
    // Reading the list is reading the notifications: move the marker (best effort).
    api
      .page<Notification>('/api/v1/notifications', { limit: 1 })
      .then((page) => page.items[0] && api.post('/api/v1/markers', { notifications: { last_read_id: page.items[0].id } }))
      .catch(() => undefined);
  }, []);
  return (
    <>
      <h1>{t('nav.notifications')}</h1>
      <div class="filters" role="group" aria-label={t('notifications.filter')}>
        {FILTERS.map(([name, key]) => (
          <button key={name} type="button" aria-pressed={filter === name} onClick={() => setFilter(name)}>
            {t(key)}
          </button>
        ))}
      </div>
      <PagedList<Notification>
        key={filter}
        path="/api/v1/notifications"
        query={types.length ? { 'types[]': types } : {}}
        label={t('nav.notifications')}
        empty={t('notifications.empty')}
        watchNew
        render={(n) => <NotificationItem notification={n} />}
      />
    </>
  );
}
