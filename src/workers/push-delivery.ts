import { Temporal } from '@js-temporal/polyfill';
import webpush from 'web-push';
import type { Config } from '../config/index.ts';
import { onQueued, type Changes } from '../domain/changes.ts';
import { PUSH_CHANNEL } from '../domain/notifications/notify.ts';
import { findFollow } from '../domain/graph/graph.repo.ts';
import { forgetSubscription, notificationToPush, subscriptionsOf } from '../domain/push/push.repo.ts';
import type { PushService } from '../domain/push/push.service.ts';
import { plainText } from '../lib/html.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Db } from '../storage/db/database.ts';
import { DbMessageQueue } from '../storage/queue/db-message-queue.ts';
import type { SafeFetch } from '../federation/safe-fetch.ts';

/** Attempts per push before it is given up (a push service that keeps failing loses that one notification). */
const MAX_ATTEMPTS = 4;
/** How long a push service keeps an undelivered push (Mastodon's 48 hours). */
const TTL_SECONDS = 48 * 3600;

const TITLES: Record<string, string> = {
  mention: 'mentioned you',
  status: 'just posted',
  reblog: 'reposted your post',
  follow: 'followed you',
  follow_request: 'asked to follow you',
  favourite: 'liked your post',
  update: 'edited a post you reposted',
  quote: 'quoted your post',
  poll: 'a poll you voted in or created has ended',
  move: 'moved to a new account',
  'admin.sign_up': 'signed up',
  'admin.report': 'was reported',
};

/**
 * Sends Web Push notifications (RFC 8030, encrypted per RFC 8291, signed with VAPID per RFC 8292) to
 * the devices that subscribed through Mastodon's push API. Each notification committed for a subscribed
 * account queues one message; this worker honours each subscription's alerts and policy, sends through
 * the SSRF guard, retries with backoff and forgets subscriptions the push service says are gone.
 */
export function pushDelivery(deps: {
  db: Db;
  clock: Clock;
  config: Config;
  push: PushService;
  changes: Changes;
  fetch: SafeFetch;
  logger: Logger;
}) {
  const { db, config, push } = deps;
  // Who push services may contact about this sender: the operators' address, else the server (https, or a mailbox at its host).
  const vapidSubject = config.instance.contactEmail
    ? `mailto:${config.instance.contactEmail}`
    : config.publicUrl.startsWith('https:')
      ? config.publicUrl
      : `mailto:postmaster@${new URL(config.publicUrl).hostname}`;
  const queue = new DbMessageQueue(db, deps.clock, { channel: PUSH_CHANNEL, pollMs: 500, concurrency: 4, logger: deps.logger });
  onQueued(deps.changes, PUSH_CHANNEL, () => queue.wake());

  async function deliver(notificationId: string, attempt: number, only: readonly string[] | undefined): Promise<void> {
    const n = await notificationToPush(db.read, notificationId);
    if (!n) return;
    const subscriptions = await subscriptionsOf(db.read, n.recipient);
    if (!subscriptions.length) return;
    const follows = async (from: string, to: string) => (await findFollow(db.read, 'follows', from, to)) !== undefined;
    const vapid = await push.vapidKeys();
    const name = n.display_name || n.username;
    const failed: string[] = [];
    for (const sub of subscriptions) {
      if (only && !only.includes(sub.id)) continue;
      const alerts = JSON.parse(sub.alerts) as Record<string, boolean>;
      if (!alerts[n.type] || sub.policy === 'none') continue;
      if (sub.policy === 'followed' && !(await follows(n.recipient, n.senderId))) continue;
      if (sub.policy === 'follower' && !(await follows(n.senderId, n.recipient))) continue;
      const payload = JSON.stringify({
        access_token: push.accessToken(sub) ?? '',
        preferred_locale: n.locale,
        notification_id: n.id,
        notification_type: n.type,
        icon: n.avatar_key ? `${config.media.baseUrl}/${n.avatar_key}` : `${config.publicUrl}/static/avatar.png`,
        title: `${name} ${TITLES[n.type] ?? 'sent you a notification'}`,
        body: n.spoiler_text || plainText(n.content ?? '').slice(0, 200),
      });
      const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: { subject: vapidSubject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: TTL_SECONDS,
        urgency: 'normal',
        contentEncoding: 'aes128gcm',
      });
      try {
        const response = await deps.fetch(request.endpoint, {
          method: 'POST',
          headers: request.headers as Record<string, string>,
          body: new Uint8Array(request.body),
        });
        await response.arrayBuffer().catch(() => undefined);
        // The device unsubscribed (or the subscription expired): forget it.
        if (response.status === 404 || response.status === 410) await forgetSubscription(db, sub.id);
        else if (response.status === 429 || response.status >= 500) failed.push(sub.id);
      } catch (error) {
        deps.logger.info({ err: error, endpoint: new URL(sub.endpoint).host }, 'a push could not be sent');
        failed.push(sub.id);
      }
    }
    // Sent again later, only where it failed, with a growing delay.
    if (failed.length && attempt < MAX_ATTEMPTS)
      await queue.enqueue(
        { notificationId, attempt: attempt + 1, only: failed },
        { delay: Temporal.Duration.from({ seconds: 30 * 2 ** attempt }) as never },
      );
  }

  return {
    listen(signal: AbortSignal): Promise<void> {
      return queue.listen(
        async (message) => {
          const { notificationId, attempt = 1, only } = message as { notificationId: string; attempt?: number; only?: string[] };
          try {
            await deliver(notificationId, attempt, only);
          } catch (error) {
            deps.logger.warn({ err: error }, 'push delivery failed');
          }
        },
        { signal },
      );
    },
  };
}
