/// <reference lib="webworker" />
// The service worker: keeps the app's own files (hashed, never changing) for offline starts, shows Web Push
// notifications. It never stores an API answer nor a page (the page carries the session's token).
declare const self: ServiceWorkerGlobalScope;

const CACHE = 'stoa-shell-v1';
const SHELL = ['/offline.html', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png'];

/** Files that may be cached: the build's hashed assets and the shell files above. Nothing else. */
function cacheable(url: URL): boolean {
  return url.origin === self.location.origin && (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    // Pages always come from the network; offline, a page that says so.
    event.respondWith(fetch(request).catch(async () => (await caches.match('/offline.html')) ?? Response.error()));
    return;
  }
  if (!cacheable(url)) return;
  event.respondWith(
    caches.match(request).then(
      (hit) =>
        hit ??
        fetch(request).then(async (response) => {
          if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
          return response;
        }),
    ),
  );
});

interface PushPayload {
  title?: string;
  body?: string;
  icon?: string;
  notification_id?: string;
  notification_type?: string;
}

self.addEventListener('push', (event) => {
  let payload: PushPayload;
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    payload = { title: event.data?.text() ?? '' };
  }
  event.waitUntil(
    self.registration.showNotification(payload.title || 'Stoa', {
      body: payload.body ?? '',
      icon: payload.icon ?? '/icons/icon-192.png',
      tag: payload.notification_id,
      data: { url: '/web/notifications' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = (event.notification.data as { url?: string } | null)?.url ?? '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) return open.navigate(target).then((w) => w?.focus());
      return self.clients.openWindow(target);
    }),
  );
});

export {};
