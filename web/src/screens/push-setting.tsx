// Web Push: this browser subscribes with the server's VAPID key; the server's worker delivers.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { useApp } from '../state.ts';

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function PushSetting() {
  const { api, vapidKey, announce } = useApp();
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && !!vapidKey;
  const [on, setOn] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!supported) return;
    api.get('/api/v1/push/subscription').then(
      () => setOn(true),
      () => setOn(false),
    );
  }, []);
  if (!supported) return <p class="hint">{t('settings.push_unsupported')}</p>;
  const toggle = async (wanted: boolean) => {
    setBusy(true);
    try {
      const registration = await navigator.serviceWorker.ready;
      if (wanted) {
        if ((await Notification.requestPermission()) !== 'granted') throw new Error('denied');
        const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
        const json = subscription.toJSON();
        await api.post('/api/v1/push/subscription', {
          subscription: { endpoint: json.endpoint, keys: json.keys },
          data: {
            alerts: {
              mention: true,
              follow: true,
              favourite: true,
              reblog: true,
              follow_request: true,
              quote: true,
              update: true,
              status: true,
            },
            policy: 'all',
          },
        });
      } else {
        await api.delete('/api/v1/push/subscription');
        await (await registration.pushManager.getSubscription())?.unsubscribe();
      }
      setOn(wanted);
      announce(wanted ? t('settings.push_on') : t('settings.push_off'));
    } catch {
      announce(t('settings.push_failed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <label class="check">
      <input type="checkbox" checked={on} disabled={busy} onChange={(e) => void toggle(e.currentTarget.checked)} />
      <span>{t('settings.push')}</span>
    </label>
  );
}
